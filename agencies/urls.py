from django.urls import path

from agencies import views, views_people, views_roster
from agencies import views_agreements as agreements
from agencies import views_steering as steering
from agencies import views_ta as ta

app_name = "agencies"

urlpatterns = [
    path("", views.agency_list, name="list"),
    path("new/", views.agency_create, name="create"),
    path("<uuid:agency_id>/", views.agency_detail, name="detail"),
    path("<uuid:agency_id>/edit/", views.agency_edit, name="edit"),
    path("<uuid:agency_id>/summary-pdf/", views.agency_summary_pdf, name="summary_pdf"),
    path("<uuid:agency_id>/plan/", views.plan, name="plan"),
    path("<uuid:agency_id>/plan/start/", views.plan_create, name="plan_create"),
    path("<uuid:agency_id>/plan/steps/", views.plan_step_add, name="plan_step_add"),
    path("<uuid:agency_id>/plan/phase/", views.plan_phase_change, name="plan_phase_change"),
    path(
        "<uuid:agency_id>/plan/phase-history/",
        views.plan_phase_history,
        name="plan_phase_history",
    ),
    path("plan-steps/<uuid:step_id>/status/", views.plan_step_status, name="plan_step_status"),
    path("plan-steps/<uuid:step_id>/edit/", views.plan_step_edit, name="plan_step_edit"),
    path("plan-steps/<uuid:step_id>/move/", views.plan_step_move, name="plan_step_move"),
    path("plan-steps/<uuid:step_id>/remove/", views.plan_step_remove, name="plan_step_remove"),
    path("<uuid:agency_id>/roster/", views_roster.roster, name="roster"),
    path("<uuid:agency_id>/roster/staff/new/", views_roster.staff_add, name="staff_add"),
    path("roster/staff/<uuid:staff_id>/edit/", views_roster.staff_edit, name="staff_edit"),
    path("roster/staff/<uuid:staff_id>/end/", views_roster.staff_end, name="staff_end"),
    path("<uuid:agency_id>/roster/teams/new/", views_roster.team_add, name="team_add"),
    path("roster/teams/<uuid:team_id>/edit/", views_roster.team_edit, name="team_edit"),
    path(
        "<uuid:agency_id>/roster/vr-counselors/new/",
        views_roster.counselor_add,
        name="counselor_add",
    ),
    path(
        "roster/vr-counselors/<uuid:counselor_id>/edit/",
        views_roster.counselor_edit,
        name="counselor_edit",
    ),
    path("<uuid:agency_id>/steering/", steering.steering, name="steering"),
    path("<uuid:agency_id>/steering/start/", steering.steering_start, name="steering_start"),
    path(
        "<uuid:agency_id>/steering/members/new/",
        steering.steering_member_add,
        name="steering_member_add",
    ),
    path(
        "steering-members/<uuid:steering_member_id>/edit/",
        steering.steering_member_edit,
        name="steering_member_edit",
    ),
    path(
        "<uuid:agency_id>/steering/meetings/new/",
        steering.steering_meeting_add,
        name="steering_meeting_add",
    ),
    path(
        "steering-meetings/<uuid:meeting_id>/", steering.steering_meeting, name="steering_meeting"
    ),
    path(
        "steering-meetings/<uuid:meeting_id>/edit/",
        steering.steering_meeting_edit,
        name="steering_meeting_edit",
    ),
    path(
        "steering-meetings/<uuid:meeting_id>/action-items/",
        steering.steering_action_item_add,
        name="steering_action_item_add",
    ),
    path(
        "steering-action-items/<uuid:action_item_id>/edit/",
        steering.steering_action_item_edit,
        name="steering_action_item_edit",
    ),
    path(
        "steering-action-items/<uuid:action_item_id>/status/",
        steering.steering_action_item_status,
        name="steering_action_item_status",
    ),
    path("<uuid:agency_id>/agreement/", agreements.agreement_current, name="agreement_current"),
    path("<uuid:agency_id>/agreement/new/", agreements.agreement_new, name="agreement_new"),
    path("agreements/<uuid:agreement_id>/", agreements.agreement, name="agreement"),
    path("agreements/<uuid:agreement_id>/edit/", agreements.agreement_edit, name="agreement_edit"),
    path(
        "agreements/<uuid:agreement_id>/sign/<str:signer_role>/",
        agreements.agreement_sign,
        name="agreement_sign",
    ),
    path("agreements/<uuid:agreement_id>/pdf/", agreements.agreement_pdf, name="agreement_pdf"),
    path("ta-activities/", ta.ta_activities, name="ta_activities"),
    path("ta-activities/new/", ta.ta_activity_new, name="ta_activity_new"),
    path("ta-activities/<uuid:activity_id>/", ta.ta_activity, name="ta_activity"),
    path("ta-activities/<uuid:activity_id>/edit/", ta.ta_activity_edit, name="ta_activity_edit"),
    path(
        "ta-activities/<uuid:activity_id>/remove/",
        ta.ta_activity_remove,
        name="ta_activity_remove",
    ),
    path("<uuid:agency_id>/ta-activities/", ta.ta_activities_agency, name="ta_activities_agency"),
    path("<uuid:agency_id>/ta-compliance/", ta.ta_compliance, name="ta_compliance"),
    path("regions/", views.region_list, name="region_list"),
    path("regions/<uuid:region_id>/edit/", views.region_edit, name="region_edit"),
    path("people/", views.people, name="people"),
    path("people/invite/", views.invitation_create, name="invite"),
    path("people/<uuid:membership_id>/", views_people.person, name="person"),
    path("people/<uuid:membership_id>/edit/", views_people.person_edit, name="person_edit"),
    path(
        "people/<uuid:membership_id>/deactivate/",
        views_people.person_deactivate,
        name="person_deactivate",
    ),
    path(
        "people/<uuid:membership_id>/reactivate/",
        views_people.person_reactivate,
        name="person_reactivate",
    ),
    path(
        "people/invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
