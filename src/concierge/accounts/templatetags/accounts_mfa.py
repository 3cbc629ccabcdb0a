from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def demo_mfa_hint():
    """In demo mode, the code the demo agents' and admins' shared authenticator shows now."""
    if not settings.DEMO_MODE:
        return ""
    from concierge.accounts.demo import demo_totp_code

    return format_html('<div class="alert alert--info" role="note">{} <code>{}</code></div>',
                       _("Demo: the demo accounts' authenticator shows"), demo_totp_code())
