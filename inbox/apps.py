from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = "The staff's inbox: pages and API over ratings, customers and gifts"
