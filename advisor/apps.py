from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvisorConfig(AppConfig):
    name = "advisor"
    verbose_name = _("RoleFit criteria and assessments")

    def ready(self):
        from advisor import signals

        signals.connect()
