from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "isek.web"
    label = "web"
