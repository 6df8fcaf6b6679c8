from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "isek.demo"
    label = "demo"
