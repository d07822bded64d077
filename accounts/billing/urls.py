from django.urls import path

from accounts.billing import views

app_name = "billing"

urlpatterns = [
    path("<int:member_id>/billing/", views.billing, name="billing"),
    path("<int:member_id>/billing/invoices/<int:invoice_id>/", views.invoice, name="invoice"),
    path(
        "<int:member_id>/billing/invoices/<int:invoice_id>/pdf/",
        views.invoice_download_pdf,
        name="invoice_pdf",
    ),
    path(
        "<int:member_id>/billing/invoices/<int:invoice_id>/dois.csv", views.invoice_dois, name="invoice_dois"
    ),
    path(
        "<int:member_id>/billing/invoices/<int:invoice_id>/lines/<int:position>/dois.csv",
        views.invoice_dois,
        name="line_dois",
    ),
]
