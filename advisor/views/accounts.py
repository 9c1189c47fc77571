"""Where a user lands after signing in (docs/product.md §1): where their work is.

Consultants (and superusers) land on the workspace, HR admins on the admin; an account with
neither role sees a page that says what it can do instead of a bare "Not allowed".
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advisor import groups
from advisor.views.workspace import WORKSPACE_PERMISSION


@require_GET
@never_cache
@login_required
def landing(request):
    user = request.user
    if user.has_perm(WORKSPACE_PERMISSION):
        return redirect("advisor:workspace")
    if user.is_staff:
        return redirect("admin:index")
    context = {"consultants": groups.CONSULTANTS, "hr_admins": groups.HR_ADMINS}
    return render(request, "registration/landing.html", context)
