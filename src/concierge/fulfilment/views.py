from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.fulfilment import selectors, services
from concierge.fulfilment.choices import RequesterTask


@login_required
@require_GET
def queue(request):
    """The IT groups' work: open tasks of the groups the person belongs to."""
    return render(request, "fulfilment/queue.html", {"tasks": selectors.queue_for(request.user)})


@login_required
@require_POST
def task_claim(request, pk: int):
    task = selectors.task_get_for(request.user, pk)
    try:
        services.task_claim(task=task, actor=request.user)
    except services.TaskError as exc:
        messages.error(request, str(exc))
    return redirect("fulfilment:queue")


@login_required
@require_POST
def task_complete(request, pk: int):
    task = selectors.task_get_for(request.user, pk)
    try:
        services.task_complete(task=task, actor=request.user,
                               note=request.POST.get("note", "")[:2000])
    except services.TaskError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Task done."))
    return redirect("fulfilment:queue")


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request, pk: int):
    """A task for the employee: confirm receipt, pick an appointment or answer a question."""
    task = selectors.task_get_for(request.user, pk)
    error = ""
    if request.method == "POST":
        try:
            if task.requester_task == RequesterTask.PICK_SLOT:
                slot = request.POST.get("slot", "")
                if not slot.isdigit():
                    raise services.TaskError(_("Please pick one of the times."))
                services.slot_pick(task=task, actor=request.user, slot_id=int(slot))
            elif task.requester_task == RequesterTask.ANSWER:
                services.task_answer(task=task, actor=request.user,
                                     answer=request.POST.get("answer", "")[:5000])
            else:
                services.task_confirm_receipt(task=task, actor=request.user)
        except services.TaskError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Thank you, that is done."))
            return redirect(task.ticket.get_absolute_url())
    slots = selectors.free_slots_for(task) if task.requester_task == RequesterTask.PICK_SLOT \
        else []
    return render(request, "fulfilment/task_detail.html",
                  {"task": task, "ticket": task.ticket, "slots": slots, "error": error,
                   "answer": request.POST.get("answer", "")},
                  status=422 if error else 200)
