"""URLs of the funding procedure, below /concepts/<slug>/ (namespace "procedure")."""

from django.urls import path

from . import views

app_name = "procedure"
one = "applications/<int:application>/"

urlpatterns = [
    path("applications/", views.applications, name="applications"),
    path("applications/new/", views.application_form, name="application-new"),
    path(one, views.application_page, name="application"),
    path(one + "edit/", views.application_form, name="application-edit"),
    path(one + "submit/", views.application_submit, name="application-submit"),
    path(one + "delete/", views.application_delete, name="application-delete"),
    path(one + "documents/<int:document>/", views.document, name="application-document"),
    # the documents job of an application being submitted (decision 0079)
    path(one + "documents/status/", views.documents_status, name="application-documents-status"),
    path(one + "documents/retry/", views.documents_retry, name="application-documents-retry"),
    # the funding authority's review (decision 0056)
    path(one + "review/", views.application_review, name="application-review"),
    path(one + "remarks/", views.remark_new, name="remark-new"),
    path(one + "remarks/<int:remark>/close/", views.remark_close, name="remark-close"),
    path(one + "remarks/<int:remark>/reply/", views.remark_reply, name="remark-reply"),  # the city's words (issue 23)
    # its approval (Zuwendungsbescheid) and amendments (decision 0058)
    path(one + "approve/", views.approval_form, name="application-approve"),
    # payment requests (Mittelabruf) and the proof of use (Verwendungsnachweis, decision 0059)
    path(one + "payments/", views.payment_requests, name="payment-requests"),
    path(one + "payments/new/", views.payment_request_new, name="payment-request-new"),
    path(one + "payments/<int:payment_request>/", views.payment_request_page, name="payment-request"),
    path(one + "payments/<int:payment_request>/submit/", views.payment_request_submit, name="payment-request-submit"),
    path(one + "payments/<int:payment_request>/delete/", views.payment_request_delete, name="payment-request-delete"),
    path(one + "payments/<int:payment_request>/release/", views.payment_request_release, name="payment-request-release"),
    path(one + "payments/<int:payment_request>/return/", views.payment_request_return, name="payment-request-return"),
    path(one + "proof/", views.proof, name="proof"),
    path(one + "proof.xlsx", views.proof_xlsx, name="proof-xlsx"),
    path(one + "proof.pdf", views.proof_pdf, name="proof-pdf"),
    path(one + "proof/check/", views.proof_check, name="proof-check"),
    # the city's answers and the submitted proof of use, the authority's decision (decision 0063)
    path(one + "proof/answer/", views.proof_answer, name="proof-answer"),
    path(one + "proof/submit/", views.proof_submit, name="proof-submit"),
    path(one + "proof/accept/", views.proof_accept, name="proof-accept"),
    path(one + "proof/return/", views.proof_return, name="proof-return"),
    path(one + "proof/documents/<int:proof_document>/", views.proof_document, name="proof-document"),
]
