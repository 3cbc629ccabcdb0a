from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.catalog.selectors import item_list_for
from concierge.core.htmx import is_partial_request, render_page_or_partial
from concierge.core.markdown import render_markdown
from concierge.knowledge import selectors, services
from concierge.knowledge.choices import ArticleLanguage, ArticleStatus
from concierge.knowledge.diff import version_diff
from concierge.knowledge.forms import (
    ArticleForm,
    FeedbackForm,
    ImageForm,
    ManageFilterForm,
    TranslationForm,
)
from concierge.knowledge.models import Feedback

INCIDENT_ITEM = "something-broken"


def _query(request) -> str:
    return request.GET.get("q", "").strip()[:200]


# --- Readers ---------------------------------------------------------------------------------

# The knowledge home's lists are cached this long (keyed by the latest article change and
# what the reader may see); counting every visible article per topic is the slow part.
HOME_CACHE_SECONDS = 300


def _home_lists(user) -> dict:
    articles = selectors.article_list_preferred(user=user).select_related("category").only(
        "pk", "slug", "language", "title", "summary", "category__slug", "category__name",
        "updated_at", "view_count")
    return {
        "categories": selectors.category_list_for(user=user),
        "faqs": list(articles.filter(is_faq=True).order_by("-view_count", "title")[:8]),
        "popular": list(articles.order_by("-view_count", "title")[:6]),
        "recent": list(articles.order_by("-updated_at")[:6]),
    }


@login_required
@require_GET
def knowledge_home(request):
    user = request.user
    key = f"knowledge-home:{selectors.knowledge_cache_key(user=user)}"
    lists = cache.get_or_set(key, lambda: _home_lists(user), HOME_CACHE_SECONDS)
    return render(request, "knowledge/knowledge_home.html",
                  {**lists, "can_manage": selectors.may_manage(user)})


@login_required
@require_GET
def category_detail(request, slug: str):
    category = selectors.category_get(slug)
    articles = (selectors.article_list_preferred(user=request.user).filter(category=category)
                .only("pk", "slug", "language", "title", "summary", "updated_at", "is_faq")
                .order_by("title"))
    page = Paginator(articles, 30).get_page(request.GET.get("page"))
    if not page.object_list and page.number == 1:
        raise Http404("Nothing to read here")
    return render(request, "knowledge/category_detail.html",
                  {"category": category, "page": page})


def _still_need_help(user, article, related_items: list, query: str) -> dict | None:
    """Where "Still need help?" leads: the related service's form, else the incident form,
    with what the person searched for (or the article's title) to prefill the description."""
    item = related_items[0] if related_items else (
        item_list_for(user).filter(slug=INCIDENT_ITEM).select_related(None)
        .only("slug", "name", "kind").first())
    if item is None:
        return None
    url = reverse("tickets:wizard-start", args=[item.slug])
    return {"item": item, "url": f"{url}?{urlencode({'describe': query or article.title})}"}


@login_required
@require_GET
def article_detail(request, slug: str):
    user = request.user
    article = selectors.article_get_for(user=user, slug=slug,
                                        language=request.GET.get("lang"))
    query = _query(request)
    services.article_view_count(article=article, session=request.session)
    feedback = Feedback.objects.filter(article=article, user=user).first()
    related_items = list(article.related_items.filter(pk__in=item_list_for(user).values("pk"))
                         .only("slug", "name", "summary", "kind"))
    return render(request, "knowledge/article_detail.html", {
        "article": article,
        "body": render_markdown(article.body, embed_videos=True),
        "translations": selectors.article_translations_for(user=user, article=article),
        "related_articles": selectors.article_related_for(user=user, article=article),
        "related_items": related_items,
        "help": _still_need_help(user, article, related_items, query),
        "query": query,
        "feedback": feedback,
        "feedback_form": FeedbackForm(initial={"q": query}),
    })


@login_required
@require_POST
def feedback_create(request, slug: str):
    article = selectors.article_get_for(user=request.user, slug=slug,
                                        language=request.POST.get("lang"))
    form = FeedbackForm(request.POST)
    feedback = None
    if form.is_valid():
        feedback = services.feedback_give(
            article=article, user=request.user, helpful=form.cleaned_data["helpful"],
            comment=form.cleaned_data["comment"], query=form.cleaned_data["q"])
        if not is_partial_request(request):
            messages.success(request, _("Thank you for your feedback."))
            return redirect(f"{article.get_absolute_url()}?lang={article.language}")
    return render_page_or_partial(
        request, "knowledge/article_detail.html",
        {"article": article, "feedback": feedback, "feedback_form": form,
         "body": render_markdown(article.body, embed_videos=True), "just_sent": True},
        # htmx swaps only 2xx answers: the fragment with the message comes back as 200.
        partial="feedback",
        status=200 if form.is_valid() or is_partial_request(request) else 400)


# --- Knowledge managers ----------------------------------------------------------------------

def _manager(request) -> None:
    if not selectors.may_manage(request.user):
        raise Http404("Not a knowledge manager")


@login_required
@require_GET
def manage_list(request):
    _manager(request)
    form = ManageFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    articles = selectors.article_manage_list(
        user=request.user, view=filters.get("view") or "all", status=filters.get("status", ""),
        language=filters.get("language", ""), category=filters.get("category", ""),
        query=filters.get("q", ""))
    page = Paginator(articles, 30).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    return render_page_or_partial(request, "knowledge/manage_list.html", {
        "form": form, "page": page, "view": filters.get("view") or "all",
        "query_string": f"{kept.urlencode()}&" if kept else "",
        "counts": selectors.article_manage_counts(user=request.user),
    }, partial="results")


def _preview(form) -> str:
    body = form.data.get("body", "") if form.is_bound else form.initial.get("body", "")
    return render_markdown(body, embed_videos=True)


@login_required
@require_http_methods(["GET", "POST"])
def manage_create(request):
    _manager(request)
    form = ArticleForm(request.POST or None,
                       initial={"language": request.user.language or "en"})
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            article = services.article_create(
                author=request.user, slug=form.cleaned_data["slug"],
                language=form.cleaned_data["language"], note=form.cleaned_data["note"],
                **form.values())
        except services.KnowledgeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Draft saved."))
            return redirect("knowledge:manage-edit", article.pk)
    return render(request, "knowledge/manage_form.html",
                  {"form": form, "preview": _preview(form) if form.is_bound else None},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def manage_edit(request, pk: int):
    article = selectors.article_manage_get(user=request.user, pk=pk)
    form = ArticleForm(request.POST or None, article=article,
                       initial=ArticleForm.initial_for(article))
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            services.article_update(article=article, author=request.user,
                                    note=form.cleaned_data["note"], **form.values())
        except services.KnowledgeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Changes saved."))
            return redirect("knowledge:manage-edit", article.pk)
    return render(request, "knowledge/manage_form.html", {
        "form": form, "article": article, "preview": _preview(form),
        "transitions": services.TRANSITIONS.get(article.status, ()),
        "missing_languages": [code for code, _label in ArticleLanguage.choices
                              if code != article.language
                              and not article.translations().filter(language=code).exists()],
        "translations": list(article.translations()),
        "comments": selectors.feedback_list(article=article),
        "images": selectors.image_list(article=article),
        "image_form": ImageForm(),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def manage_preview(request):
    """htmx: the Markdown text as readers will see it."""
    _manager(request)
    return render(request, "knowledge/manage_form.html#preview",
                  {"preview": render_markdown(request.POST.get("body", "")[:100_000],
                                              embed_videos=True)})


@login_required
@require_POST
def manage_transition(request, pk: int):
    article = selectors.article_manage_get(user=request.user, pk=pk)
    to = request.POST.get("to", "")
    if to not in ArticleStatus.values:
        messages.error(request, _("Unknown status."))
        return redirect("knowledge:manage-edit", article.pk)
    try:
        article = services.article_transition(article=article, actor=request.user, to=to)
    except services.KnowledgeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The article is now “%(status)s”.")
                         % {"status": article.get_status_display()})
    return redirect("knowledge:manage-edit", article.pk)


@login_required
@require_GET
def manage_history(request, pk: int):
    article = selectors.article_manage_get(user=request.user, pk=pk)
    versions = selectors.version_list(article=article)
    by_number = {version.number: version for version in versions}
    diff = old = new = None
    if len(versions) > 1:
        try:
            new = by_number[int(request.GET.get("b") or versions[0].number)]
            old = by_number[int(request.GET.get("a") or versions[1].number)]
        except (KeyError, ValueError):
            raise Http404("No such version") from None
        diff = version_diff(old, new)
    return render(request, "knowledge/manage_history.html",
                  {"article": article, "versions": versions, "diff": diff, "old": old,
                   "new": new})


@login_required
@require_http_methods(["GET", "POST"])
def manage_translate(request, pk: int, language: str):
    article = selectors.article_manage_get(user=request.user, pk=pk)
    if language not in ArticleLanguage.values or language == article.language:
        raise Http404("No such language")
    existing = article.translations().filter(language=language).first()
    if existing is not None:
        return redirect("knowledge:manage-edit", existing.pk)
    form = TranslationForm(request.POST or None, initial={
        "title": article.title, "summary": article.summary, "body": article.body})
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            translation = services.article_translate(
                article=article, author=request.user, language=language, **form.cleaned_data)
        except services.KnowledgeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Translation saved as a draft."))
            return redirect("knowledge:manage-edit", translation.pk)
    return render(request, "knowledge/manage_translate.html", {
        "form": form, "article": article, "language": ArticleLanguage(language),
        "preview": _preview(form)}, status=400 if form.errors else 200)


@login_required
@require_POST
def manage_image_upload(request, pk: int):
    article = selectors.article_manage_get(user=request.user, pk=pk)
    form = ImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            image = services.image_store(article=article, upload=form.cleaned_data["image"],
                                         alt=form.cleaned_data["alt"],
                                         uploaded_by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Picture uploaded. Put this line in the text where it "
                                        "belongs: %(markdown)s") % {"markdown": image.markdown})
    else:
        messages.error(request, " ".join(
            f"{form.fields[name].label}: {' '.join(errors)}"
            for name, errors in form.errors.items()))
    return redirect(f"{reverse('knowledge:manage-edit', args=[article.pk])}#pictures")


@login_required
@require_GET
def image_detail(request, key):
    """A picture of an article, for signed-in people (its random key is its address)."""
    image = selectors.image_get(key=key)
    try:
        handle = image.file.open("rb")
    except FileNotFoundError:
        raise Http404("File missing") from None
    response = FileResponse(handle, content_type=image.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # The key changes with the content, so the browser may keep it.
    response["Cache-Control"] = "private, max-age=604800, immutable"
    return response
