"""The site-wide brand in templates: `{% brand as brand %}` (advisor/branding.py)."""

from django import template

from advisor import branding

register = template.Library()


@register.simple_tag
def brand() -> branding.Brand:
    return branding.brand_current()
