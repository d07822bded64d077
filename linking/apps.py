from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


def _prune_search_index(sender, using: str = "default", **kwargs) -> None:
    from linking.search.backends import index_prune

    index_prune(using)


class LinkingConfig(AppConfig):
    name = "linking"
    verbose_name = "Linking: the registry, resolution, APIs, matching"

    def ready(self) -> None:
        from linking.models import Work
        from linking.resolver.cache import resolution_targets_changed

        post_migrate.connect(_prune_search_index, sender=self)
        # Works saved or deleted one at a time (the admin, forms); bulk registration calls
        # it itself. Not on ResourceUrl: a receiver there would turn the bulk deletes of
        # registration into one query per row.
        post_save.connect(resolution_targets_changed, sender=Work, dispatch_uid="resolver-work-saved")
        post_delete.connect(resolution_targets_changed, sender=Work, dispatch_uid="resolver-work-deleted")
