from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "isek.core"
    label = "core"
