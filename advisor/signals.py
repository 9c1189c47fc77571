"""Keeps `CriteriaState.stamp` in step with every change to the criteria, and drops this
process's copy of the brand when it is saved.

This is cache invalidation, not business logic: any save or delete of a criteria row (admin,
loaddata, history revert) must make every worker rebuild its in-process copy of the criteria.
"""

from django.db.models.signals import post_delete, post_save

from advisor import branding, models, services


def _criteria_changed(sender, **kwargs):
    services.criteria_touch()


def connect():
    for model in models.CRITERIA_MODELS:
        post_save.connect(_criteria_changed, sender=model, dispatch_uid=f"criteria-save-{model}")
        post_delete.connect(_criteria_changed, sender=model, dispatch_uid=f"criteria-del-{model}")
    # The brand is cached per process too (advisor/branding.py).
    post_save.connect(branding.brand_forget, sender=models.Branding, dispatch_uid="brand-save")
    post_delete.connect(branding.brand_forget, sender=models.Branding, dispatch_uid="brand-del")
