from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _prune_search_index(sender, using: str = "default", **kwargs) -> None:
    from linking.search.backends import index_prune

    index_prune(using)


class LinkingConfig(AppConfig):
    name = "linking"
    verbose_name = "Linking: the registry, resolution, APIs, matching"

    def ready(self) -> None:
        post_migrate.connect(_prune_search_index, sender=self)
