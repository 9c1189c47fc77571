"""Template tags of RoleFit's admin pages."""

from django import template

from advisor.views import admin as admin_views

register = template.Library()


@register.simple_tag(takes_context=True)
def criteria_status(context):
    """The current criteria version and the links this user may follow (admin index box)."""
    return admin_views.criteria_status(context["request"].user)
