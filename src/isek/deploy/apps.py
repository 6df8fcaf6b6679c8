from django.apps import AppConfig


class DeployConfig(AppConfig):
    name = "isek.deploy"
    label = "deploy"
    verbose_name = "Betrieb"
