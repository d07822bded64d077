"""Deposit URLs: the machine endpoints at Crossref's paths, and the member pages under the
organisation's account (/account/<member_id>/deposits/), beside accounts' own pages."""

from django.urls import path

from deposits import stq, views

app_name = "deposits"

MEMBER = "account/<int:member_id>/deposits/"
ONE = MEMBER + "<int:submission_id>/"

urlpatterns = [
    path("servlet/deposit", views.servlet_deposit, name="servlet_deposit"),
    path("servlet/submissionDownload", views.servlet_submission_download, name="servlet_download"),
    path(MEMBER, views.submission_list, name="list"),
    path(MEMBER + "upload/", views.upload, name="upload"),
    path(ONE, views.submission_detail, name="detail"),
    path(ONE + "log.xml", views.submission_log_xml, name="log_xml"),
    path(ONE + "log.json", views.submission_log_json, name="log_json"),
    path(ONE + "status.json", views.submission_status, name="status"),
    path(ONE + "live/", views.submission_live, name="live"),
    path(ONE + "file", views.submission_file, name="file"),
    path("simple-text-query/deposit/", stq.stq_deposit, name="stq_deposit"),
]
