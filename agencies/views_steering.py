"""Pages of an agency's steering committee: the committee, its members, meetings and action
items. Thin: the access package opens the objects, the services write, the selectors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from agencies import selectors_steering as selectors
from agencies import services
from agencies.forms_steering import SteeringActionItemForm, SteeringMeetingForm, SteeringMemberForm
from agencies.models import SteeringActionItem, SteeringMember
from ipsportal import access
from ipsportal.forms import apply_validation_error
from ipsportal.middleware import follow_collaborative

MEETINGS_PAGE_SIZE = 10


def _committee_of(found):
    if found.committee is None:
        raise Http404("This agency has no steering committee yet.")
    return found.committee


@login_required
def steering(request, agency_id):
    found = access.access_steering(request.user, agency_id)
    follow_collaborative(request, found.agency.collaborative)
    meetings = selectors.steering_meetings(request.user, found.agency)
    page = Paginator(meetings, MEETINGS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "agencies/steering.html",
        {
            "agency": found.agency,
            "committee": found.committee,
            "can_edit": found.can_edit,
            "status": selectors.steering_status(found.agency, found.committee),
            "members": selectors.steering_members(found.committee),
            "page_obj": page,
            "meetings": page.object_list,
        },
    )


@login_required
@require_POST
def steering_start(request, agency_id):
    agency = access.access_steering(request.user, agency_id, write=True).agency
    services.steering_committee_create(user=request.user, agency=agency)
    messages.success(request, "The steering committee was started. Add its members below.")
    return redirect("agencies:steering", agency_id=agency.pk)


def _member_page(request, agency, form, member=None, status=200):
    return render(
        request,
        "agencies/steering_member_form.html",
        {"agency": agency, "form": form, "member": member},
        status=status,
    )


def _save_member(request, committee, form, member=None):
    """The form's member through the service; the errors on the form when it refuses."""
    if not form.is_valid():
        return False
    try:
        services.steering_member_save(
            user=request.user, committee=committee, member=member, **form.cleaned_data
        )
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def steering_member_add(request, agency_id):
    found = access.access_steering(request.user, agency_id, write=True)
    committee = _committee_of(found)
    form = SteeringMemberForm(request.POST or None)
    if request.method == "POST":
        if _save_member(request, committee, form):
            messages.success(request, f"{form.cleaned_data['name'].strip()} was added.")
            return redirect("agencies:steering", agency_id=found.agency.pk)
        return _member_page(request, found.agency, form, status=400)
    return _member_page(request, found.agency, form)


@login_required
@require_http_methods(["GET", "POST"])
def steering_member_edit(request, steering_member_id):
    member = access.access_steering_member(request.user, steering_member_id, write=True).member
    form = SteeringMemberForm.for_member(member, request.POST or None)
    if request.method == "POST":
        if _save_member(request, member.committee, form, member):
            messages.success(request, f"{member.name} was saved.")
            return redirect("agencies:steering", agency_id=member.agency_id)
        return _member_page(request, member.agency, form, member, status=400)
    return _member_page(request, member.agency, form, member)


def _meeting_form(committee, data=None, **kwargs) -> SteeringMeetingForm:
    members = SteeringMember.objects.filter(committee=committee).order_by("-is_active", "name")
    return SteeringMeetingForm(data, members=members, **kwargs)


def _meeting_page(request, agency, form, meeting=None, status=200):
    return render(
        request,
        "agencies/steering_meeting_form.html",
        {"agency": agency, "form": form, "meeting": meeting},
        status=status,
    )


def _save_meeting(request, committee, form, meeting=None):
    if not form.is_valid():
        return None
    try:
        return services.steering_meeting_save(
            user=request.user, committee=committee, meeting=meeting, **form.cleaned_data
        )
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def steering_meeting_add(request, agency_id):
    found = access.access_steering(request.user, agency_id, write=True)
    committee = _committee_of(found)
    if request.method == "POST":
        form = _meeting_form(committee, request.POST)
        meeting = _save_meeting(request, committee, form)
        if meeting is not None:
            messages.success(request, "The meeting was recorded. Add its action items below.")
            return redirect(meeting)
        return _meeting_page(request, found.agency, form, status=400)
    form = _meeting_form(committee, initial={"date": found.agency.collaborative.today()})
    return _meeting_page(request, found.agency, form)


@login_required
@require_http_methods(["GET", "POST"])
def steering_meeting_edit(request, meeting_id):
    meeting = access.access_steering_meeting(request.user, meeting_id, write=True).meeting
    if request.method == "POST":
        form = _meeting_form(meeting.committee, request.POST)
        if _save_meeting(request, meeting.committee, form, meeting) is not None:
            messages.success(request, "The meeting was saved.")
            return redirect(meeting)
        return _meeting_page(request, meeting.agency, form, meeting, status=400)
    form = _meeting_form(
        meeting.committee,
        initial={
            "date": meeting.date,
            "attendees": list(meeting.attendees.values_list("pk", flat=True)),
            "guests": meeting.guests,
            "agenda": meeting.agenda,
            "minutes": meeting.minutes,
            "decisions": meeting.decisions,
        },
    )
    return _meeting_page(request, meeting.agency, form, meeting)


def _meeting_detail_page(request, found, item_form, status=200):
    meeting = found.meeting
    return render(
        request,
        "agencies/steering_meeting.html",
        {
            "agency": meeting.agency,
            "meeting": meeting,
            "can_edit": found.can_edit,
            "is_planned": meeting.date > meeting.collaborative.today(),
            "item_form": item_form,
            "statuses": SteeringActionItem.Status,
            **selectors.meeting_detail(meeting),
        },
        status=status,
    )


@login_required
def steering_meeting(request, meeting_id):
    found = access.access_steering_meeting(request.user, meeting_id)
    follow_collaborative(request, found.meeting.collaborative)
    return _meeting_detail_page(request, found, SteeringActionItemForm())


def _save_item(request, meeting, form, item=None) -> bool:
    if not form.is_valid():
        return False
    try:
        services.steering_action_item_save(
            user=request.user, meeting=meeting, item=item, **form.cleaned_data
        )
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return False
    return True


@login_required
@require_POST
def steering_action_item_add(request, meeting_id):
    found = access.access_steering_meeting(request.user, meeting_id, write=True)
    form = SteeringActionItemForm(request.POST)
    if _save_item(request, found.meeting, form):
        messages.success(request, "The action item was added.")
        return redirect(found.meeting)
    return _meeting_detail_page(request, found, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def steering_action_item_edit(request, action_item_id):
    item = access.access_steering_action_item(request.user, action_item_id, write=True).item
    form = SteeringActionItemForm.for_item(item, request.POST or None)
    if request.method == "POST":
        if _save_item(request, item.meeting, form, item):
            messages.success(request, "The action item was saved.")
            return redirect(item.meeting)
        status = 400
    else:
        status = 200
    return render(
        request,
        "agencies/steering_action_item_form.html",
        {"agency": item.agency, "item": item, "meeting": item.meeting, "form": form},
        status=status,
    )


@login_required
@require_POST
def steering_action_item_status(request, action_item_id):
    item = access.access_steering_action_item(request.user, action_item_id, write=True).item
    status = request.POST.get("status")
    if status not in SteeringActionItem.Status.values:
        messages.error(request, "Choose a valid status for the action item.")
    else:
        services.steering_action_item_set_status(user=request.user, item=item, status=status)
        label = SteeringActionItem.Status(status).label.lower()
        messages.success(request, f"Action item marked {label}.")
    return redirect(item.meeting)
