from django.apps import AppConfig


class CustomerPagesConfig(AppConfig):
    name = "customer_pages"
    verbose_name = "Customer pages"
