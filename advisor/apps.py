from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AdvisorConfig(AppConfig):
    name = "advisor"
    verbose_name = _("RoleFit criteria and assessments")

    def ready(self):
        from advisor import groups, rendercache, search, signals

        signals.connect()
        search.connect()
        post_migrate.connect(groups.groups_post_migrate, sender=self, dispatch_uid="rolefit-groups")
        # The shared cache's table (advisor/rendercache.py), whenever the settings name one.
        post_migrate.connect(
            rendercache.cache_tables_create, sender=self, dispatch_uid="rolefit-cache-table"
        )
