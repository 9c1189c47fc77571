from django.http import HttpResponse
from django.shortcuts import render


def healthz(request):
    # Liveness only: must not touch the database, so load balancers can tell app from DB trouble.
    return HttpResponse("ok", content_type="text/plain")


def home(request):
    return render(request, "advisor/home.html")
