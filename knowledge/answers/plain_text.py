"""Plain-text rendering of every answer type, for the terminal and Teams' `text` fallback."""

from __future__ import annotations

from datetime import timedelta
from functools import singledispatch

from knowledge.answers.answers import (
    Answer,
    Clarification,
    DateCondition,
    FaqAnswer,
    Greeting,
    Help,
    Intent,
    Language,
    ListFilters,
    MemberView,
    MyProjects,
    NotFound,
    NothingToUndo,
    NotUnderstood,
    PersonProjects,
    PersonView,
    PortfolioSummary,
    ProgrammeFact,
    ProjectFact,
    ProjectList,
    ProjectOverview,
    ProjectPeople,
    ProjectStatus,
    ProjectTransfer,
    ProjectView,
    ReportView,
    StatusInvalid,
    StatusPosted,
    StatusRefused,
    StatusWithdrawn,
    SubscriptionChanged,
    SubscriptionHelp,
    SubscriptionItem,
    SubscriptionList,
    Thanks,
    TransferView,
    WhichSubject,
)
from knowledge.answers.phrases import (
    HEALTH,
    PHASE,
    ROLE,
    SUBSCRIPTION_KIND,
    TEXT,
    TRANSFER,
    command_help,
    format_age,
    format_date,
    join_words,
    say,
)
from knowledge.portfolio.model import Health, Phase, Role, TransferStatus
from knowledge.portfolio.status_rules import STALE_AFTER_DAYS

MONTH_NAMES = {
    Language.NB: ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
                  "september", "oktober", "november", "desember"),
    Language.NN: ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
                  "september", "oktober", "november", "desember"),
    Language.EN: ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"),
}


def project_label(project: ProjectView) -> str:
    return f"{project.name} ({project.code})"


def person_label(person: PersonView | None, language: Language) -> str:
    if person is None:
        return TEXT["none_registered"][language]
    extra = ", ".join(part for part in (person.title, person.organization) if part)
    return f"{person.name} ({extra})" if extra else person.name


def member_line(member: MemberView, language: Language) -> str:
    role = member.member_role or ROLE[member.role][language]
    return f"- {member.person.name}: {role}"


def report_lines(project: ProjectView, report: ReportView | None, language: Language,
                 stale_after_days: int = STALE_AFTER_DAYS) -> list[str]:
    if report is None:
        return [say("no_status", language, project=project_label(project))]
    lines = [
        say("status_of", language, project=project_label(project),
            health=HEALTH[report.health][language],
            date=format_date(report.reported_at, language),
            age=format_age(report.age_days, language)),
        report.summary,
    ]
    if report.author is not None:
        lines.append(say("status_by", language, person=report.author.name))
    if report.age_days > stale_after_days:
        lines.append(say("status_stale", language, days=stale_after_days))
    return lines


def transfer_sentence(project: ProjectView, transfer: TransferView | None,
                      language: Language) -> str:
    label = project_label(project)
    if transfer is None:
        return say("no_transfer", language, project=label)
    unknown = TEXT["unknown"][language]
    source = transfer.from_organization or unknown
    target = transfer.to_organization or unknown
    when = format_date(transfer.effective_date, language) if transfer.effective_date else ""
    date_part = f" ({when})" if when else ""
    status = transfer.status
    if status is TransferStatus.TRANSFERRED:
        return say("transferred", language, project=label, source=source, target=target,
                   date=when or unknown)
    if status is TransferStatus.PLANNED:
        return say("transfer_planned", language, project=label, source=source, target=target,
                   date_part=date_part)
    if status is TransferStatus.IN_PROGRESS:
        return say("transfer_in_progress", language, project=label, source=source,
                   target=target, date_part=date_part)
    if status is TransferStatus.COMPLETED_BEFORE_TRANSFER:
        return say("transfer_completed_before", language, project=label)
    source_part = f" ({transfer.from_organization})" if transfer.from_organization else ""
    return say("transfer_not", language, project=label, source_part=source_part)


def transfer_lines(project: ProjectView, transfer: TransferView | None,
                   language: Language) -> list[str]:
    lines = [transfer_sentence(project, transfer, language)]
    if transfer is not None and transfer.note:
        lines.append(say("transfer_note", language, note=transfer.note))
    return lines


def filters_phrase(filters: ListFilters, language: Language) -> str:
    parts: list[str] = []
    if filters.health:
        parts.append(say("filter_health", language, values=join_words(
            sorted(HEALTH[h][language] for h in filters.health), language)))
    if filters.phases:
        parts.append(say("filter_phase", language, values=join_words(
            sorted(PHASE[p][language] for p in filters.phases), language)))
    if filters.transfer:
        parts.append(say("filter_transfer", language, values=join_words(
            sorted(TRANSFER[t][language] for t in filters.transfer), language)))
    for key, value in (("filter_owner", filters.owner), ("filter_manager", filters.manager),
                       ("filter_person", filters.person), ("filter_programme", filters.programme),
                       ("filter_organization", filters.organization)):
        if value:
            parts.append(say(key, language, value=value))
    parts.extend(date_phrase(condition, language) for condition in filters.dates)
    if filters.no_report:
        parts.append(say("filter_no_report", language))
    if filters.topic:
        parts.append(say("filter_topic", language, value=" ".join(filters.topic)))
    return (" " + ", ".join(parts)) if parts else ""


def date_phrase(condition: DateCondition, language: Language) -> str:
    """"planlagt ferdig i 2026", "sist rapportert før 01.10.2026", "transferred in 2024-01"."""
    first, last = condition.first, condition.last
    if first and last and first == last:
        span = say("range_on", language, value=format_date(first, language))
    elif first and last and first.day == 1 and first.month == 1 and (last.month, last.day) == (
            12, 31) and first.year == last.year:
        span = say("range_in", language, value=str(first.year))
    elif first and last and first.day == 1 and (first.year, first.month) == (
            last.year, last.month) and (last + timedelta(days=1)).day == 1:
        span = say("range_in", language, value=f"{MONTH_NAMES[language][first.month - 1]} "
                                              f"{first.year}")
    elif first and last:
        span = say("range_between", language, first=format_date(first, language),
                   last=format_date(last, language))
    elif last:
        span = say("range_before", language, value=format_date(last + timedelta(days=1),
                                                                language))
    elif first:
        span = say("range_after", language, value=format_date(first - timedelta(days=1),
                                                               language))
    else:
        span = ""
    phrase = f"{say('date_' + condition.field, language)} {span}".strip()
    return say("date_not", language, condition=phrase) if condition.negated else phrase


@singledispatch
def render(answer: Answer) -> str:
    """The answer as plain text in its language."""
    raise TypeError(f"no plain-text rendering for {type(answer).__name__}")


@render.register
def _(answer: Greeting) -> str:
    return say("greeting", answer.language)


@render.register
def _(answer: Thanks) -> str:
    return say("thanks", answer.language)


@render.register
def _(answer: Help) -> str:
    return "\n".join([say("help_intro", answer.language), *(f"- {e}" for e in answer.examples),
                      say("help_commands", answer.language),
                      *(f"- {what} – {does}" for what, does in command_help(answer.language))])


@render.register
def _(answer: NotUnderstood) -> str:
    return "\n".join([say("not_understood", answer.language),
                      *(f"- {e}" for e in answer.examples)])


@render.register
def _(answer: WhichSubject) -> str:
    return "\n".join([say("which_subject", answer.language),
                      *(f"- {e}" for e in answer.examples[:3])])


@render.register
def _(answer: NotFound) -> str:
    lines = [say("not_found", answer.language, mention=answer.mention)]
    if answer.suggestions:
        lines.append(say("did_you_mean", answer.language))
        lines.extend(f"- {c.label}" + (f" ({c.detail})" if c.detail else "")
                     for c in answer.suggestions)
    return "\n".join(lines)


@render.register
def _(answer: Clarification) -> str:
    lines = [say("clarify", answer.language, mention=answer.mention)]
    lines.extend(f"{n}. {c.label}" + (f" ({c.detail})" if c.detail else "")
                 for n, c in enumerate(answer.candidates, start=1))
    return "\n".join(lines)


@render.register
def _(answer: ProjectPeople) -> str:
    language, label = answer.language, project_label(answer.project)
    if answer.focus is Intent.OWNER:
        if answer.owner is None:
            return say("no_owner", language, project=label)
        return say("owner_is", language, project=label,
                   person=person_label(answer.owner, language))
    if answer.focus is Intent.MANAGER:
        if answer.manager is None:
            return say("no_manager", language, project=label)
        return say("manager_is", language, project=label,
                   person=person_label(answer.manager, language))
    lines = [
        say("people_of", language, project=label),
        f"- {ROLE[Role.OWNER][language]}: {person_label(answer.owner, language)}",
        f"- {ROLE[Role.MANAGER][language]}: {person_label(answer.manager, language)}",
    ]
    lines.extend(member_line(m, language) for m in answer.members)
    return "\n".join(lines)


@render.register
def _(answer: ProjectStatus) -> str:
    return "\n".join(report_lines(answer.project, answer.report, answer.language,
                                  answer.stale_after_days))


@render.register
def _(answer: ProjectTransfer) -> str:
    language = answer.language
    return "\n".join(transfer_lines(answer.project, answer.transfer, language))


@render.register
def _(answer: ProjectOverview) -> str:
    language = answer.language

    def label(key: str) -> str:
        return TEXT[key][language]

    period = (f"{format_date(answer.start_date, language)} – "
              f"{format_date(answer.planned_end_date, language) if answer.planned_end_date else label('open_ended')}")
    lines = [project_label(answer.project)]
    if answer.description:
        lines.append(answer.description)
    lines += [
        f"{label('overview_phase')}: {PHASE[answer.phase][language]}",
        f"{label('overview_programme')}: {answer.programme or label('none_registered')}",
        f"{label('overview_organization')}: {answer.organization or label('unknown')}",
        f"{label('overview_period')}: {period}",
        f"{ROLE[Role.OWNER][language].capitalize()}: {person_label(answer.owner, language)}",
        f"{ROLE[Role.MANAGER][language].capitalize()}: "
        f"{person_label(answer.manager, language)}",
    ]
    lines.extend(member_line(m, language) for m in answer.members)
    lines.append(f"{label('overview_status')}: " + " ".join(
        report_lines(answer.project, answer.report, language)))
    lines.append(f"{label('overview_transfer')}: " + " ".join(
        transfer_lines(answer.project, answer.transfer, language)))
    return "\n".join(lines)


@render.register
def _(answer: PersonProjects) -> str:
    language, person = answer.language, person_label(answer.person, language=answer.language)
    count = len(answer.assignments)
    if not count:
        if answer.role_filter is not None:
            return say("person_no_projects_role", language, person=person,
                       role=ROLE[answer.role_filter][language])
        return say("person_no_projects", language, person=person)
    one = "_one" if count == 1 else ""
    if answer.role_filter is not None:
        head = say("person_projects_role" + one, language, person=person,
                   role=ROLE[answer.role_filter][language], count=count)
    else:
        head = say("person_projects" + one, language, person=person, count=count)
    lines = [head]
    for a in answer.assignments:
        role = a.member_role or ROLE[a.role][language]
        lines.append(f"- {project_label(a.project)}: {role} ({PHASE[a.phase][language]})")
    return "\n".join(lines)


@render.register
def _(answer: ProjectList) -> str:
    language = answer.language
    if answer.unsupported and answer.filters.is_empty():
        return say("cannot_filter_alone", language, words=" ".join(answer.unsupported))
    head = list_head(answer)
    lines = [say("cannot_filter", language, words=" ".join(answer.unsupported))
             ] if answer.unsupported else []
    lines.append(head)
    if answer.count_only or answer.total == 0:
        return "\n".join(lines)
    if answer.first >= answer.total:
        lines.append(say("list_end", language, total=answer.total))
    elif answer.first:
        lines.append(page_line(answer))
    for item in answer.shown:
        health = HEALTH[item.health][language] if item.health else TEXT["no_report_short"][language]
        lines.append(f"- {project_label(item.project)}: {PHASE[item.phase][language]}, {health}")
    if answer.after_shown:
        lines.append(say("list_more", language, more=answer.after_shown))
    return "\n".join(lines)


def page_line(answer: ProjectList) -> str:
    """"Prosjekt 11–20 av 23:": which part of a list a continued answer shows."""
    return say("list_page", answer.language, first=answer.first + 1,
               last=answer.first + len(answer.shown), total=answer.total)


def list_head(answer: ProjectList) -> str:
    """"3 prosjekter med status rød, eid av Mona Berg.": the total and the filters used."""
    language, filters = answer.language, filters_phrase(answer.filters, answer.language)
    if answer.total == 0:
        return say("list_none", language, filters=filters)
    if answer.total == 1:
        return say("list_count_one", language, filters=filters)
    return say("list_count", language, count=answer.total, filters=filters)


@render.register
def _(answer: ProjectFact) -> str:
    language, label = answer.language, project_label(answer.project)
    if answer.fact is Intent.DESCRIPTION:
        return (say("fact_description", language, project=label, description=answer.description)
                if answer.description else say("fact_no_description", language, project=label))
    if answer.fact is Intent.PROGRAMME:
        if not answer.programme:
            return say("fact_no_programme", language, project=label)
        lines = [say("fact_programme", language, project=label, programme=answer.programme)]
        if answer.programme_closed_on:
            lines.append(say("fact_programme_closed", language,
                             date=format_date(answer.programme_closed_on, language)))
        return " ".join(lines)
    if answer.fact is Intent.START:
        return (say("fact_start", language, project=label,
                    date=format_date(answer.start_date, language))
                if answer.start_date else say("fact_no_start", language, project=label))
    if answer.fact is Intent.PLANNED_END:
        return (say("fact_planned_end", language, project=label,
                    date=format_date(answer.planned_end_date, language))
                if answer.planned_end_date
                else say("fact_no_planned_end", language, project=label))
    if not answer.reports:
        return say("no_status", language, project=label)
    lines = [say("fact_history", language, project=label)]
    lines.extend(history_line(report, language) for report in answer.reports)
    if len(answer.reports) == 1:
        lines.append(say("history_only_one", language))
    return "\n".join(lines)


def history_line(report: ReportView, language: Language) -> str:
    author = f" ({report.author.name})" if report.author else ""
    return (f"- {format_date(report.reported_at, language)}: {HEALTH[report.health][language]}"
            f" – {report.summary}{author}")


@render.register
def _(answer: ProgrammeFact) -> str:
    language = answer.language
    label = f"{answer.short_name} ({answer.name})" if answer.short_name else answer.name
    if answer.closed and answer.closed_on:
        head = say("programme_closed", language, programme=label,
                   date=format_date(answer.closed_on, language))
    elif answer.closed:
        head = say("programme_closed_undated", language, programme=label)
    else:
        head = say("programme_active", language, programme=label)
    lines = [head]
    if answer.description:
        lines.append(answer.description)
    lines.append(say("programme_projects", language, count=answer.projects))
    return "\n".join(lines)


def summary_lines(answer: PortfolioSummary) -> list[str]:
    """The overview's counts, one line per dimension: "Status: grønn: 7, gul: 3, rød: 2"."""
    language = answer.language

    def tally(value: Health | Phase | TransferStatus | None) -> str:
        if isinstance(value, Health):
            return HEALTH[value][language]
        if isinstance(value, Phase):
            return PHASE[value][language]
        return TRANSFER[value][language] if value is not None else ""

    health = ", ".join(f"{tally(t.value) or TEXT['no_report_short'][language]}: {t.count}"
                       for t in answer.health)
    phases = ", ".join(f"{tally(t.value)}: {t.count}" for t in answer.phases)
    transfers = ", ".join(f"{tally(t.value) or TEXT['summary_no_transfer'][language]}: "
                          f"{t.count}" for t in answer.transfers)
    lines = [say("summary_head_one" if answer.total == 1 else "summary_head", language,
                 scope=filters_phrase(answer.scope, language), count=answer.total)]
    for key, text in (("summary_health", health), ("summary_phase", phases),
                      ("summary_transfer", transfers)):
        if text:
            lines.append(f"{TEXT[key][language]}: {text}")
    return lines


@render.register
def _(answer: PortfolioSummary) -> str:
    language = answer.language
    lines = summary_lines(answer)
    if not answer.red:
        lines.append(say("summary_no_red", language))
        return "\n".join(lines)
    lines.append(say("summary_red", language))
    lines.extend(f"- {project_label(item.project)}" for item in answer.red[: answer.shown_limit])
    if answer.red_total > answer.shown_limit:
        lines.append(say("list_more", language, more=answer.red_total - answer.shown_limit))
    return "\n".join(lines)


@render.register
def _(answer: FaqAnswer) -> str:
    lines = [answer.answer]
    if answer.language is Language.EN:
        lines.append(say("faq_source", answer.language, question=answer.question))
    return "\n".join(lines)


@render.register
def _(answer: StatusPosted) -> str:
    language, report = answer.language, answer.report
    lines = [say("status_posted", language, project=project_label(answer.project),
                 health=HEALTH[report.health][language]),
             report.summary,
             f"{TEXT['label_date'][language]}: {format_date(report.reported_at, language)} "
             f"{report.reported_at.strftime('%H:%M')} UTC"]
    if report.author is not None:
        lines.append(say("status_by", language, person=report.author.name))
    return "\n".join(lines)


def leads_phrase(leads: tuple[PersonView, ...], language: Language) -> str:
    return ", ".join(p.name for p in leads) or TEXT["none_registered"][language]


@render.register
def _(answer: StatusRefused) -> str:
    key = "status_unknown_sender" if answer.unknown_sender else "status_refused"
    return say(key, answer.language, project=project_label(answer.project),
               leads=leads_phrase(answer.leads, answer.language))


@render.register
def _(answer: StatusInvalid) -> str:
    example = answer.project.name if answer.project else TEXT["form_project"][answer.language]
    return "\n".join(
        say(problem, answer.language, example=example, limit=answer.max_summary)
        for problem in answer.problems)


@render.register
def _(answer: StatusWithdrawn) -> str:
    return say("status_withdrawn", answer.language, project=project_label(answer.project))


@render.register
def _(answer: NothingToUndo) -> str:
    return say("nothing_to_undo", answer.language, minutes=answer.window_minutes)


@render.register
def _(answer: MyProjects) -> str:
    language = answer.language
    if answer.person is None:
        return say("my_projects_unknown", language)
    if not answer.projects:
        return say("my_projects_none", language)
    lines = [say("my_projects", language)]
    for led in answer.projects:
        if led.report is None:
            status = TEXT["no_report_short"][language]
        else:
            status = (f"{HEALTH[led.report.health][language]}, "
                      f"{format_age(led.report.age_days, language)}")
        flag = f" ⚠ {say('stale_flag', language, days=answer.stale_after_days)}" if led.stale else ""
        lines.append(f"- {project_label(led.project)} ({ROLE[led.role][language]}): {status}{flag}")
    return "\n".join(lines)


def subscription_phrase(target: str | None, kinds: tuple[str, ...], language: Language) -> tuple[str, str]:
    """The target's label (the whole portfolio when None) and ` (kun status, fase)` or ''."""
    label = target if target is not None else TEXT["subscription_everything"][language]
    if not kinds:
        return label, ""
    return label, say("subscription_only", language,
                      kinds=", ".join(SUBSCRIPTION_KIND[k][language] for k in kinds))


@render.register
def _(answer: SubscriptionChanged) -> str:
    language = answer.language
    target, kinds = subscription_phrase(answer.target, answer.kinds, language)
    if answer.action == "subscribed":
        return say("subscribed", language, target=target, kinds=kinds)
    if answer.action == "updated":
        return say("subscription_updated", language, target=target, kinds=kinds)
    if answer.count == 0:
        return (say("not_subscribed", language, target=target) if answer.target is not None
                else say("no_subscriptions", language))
    if answer.target is None and answer.count != 1:
        return say("unsubscribed_all", language, count=answer.count)
    return say("unsubscribed", language, target=target)


@render.register
def _(answer: SubscriptionList) -> str:
    language = answer.language
    if not answer.items:
        return say("no_subscriptions", language)
    lines = [say("subscriptions", language)]
    for item in answer.items:
        target, kinds = subscription_phrase(item.target, item.kinds, language)
        lines.append(f"- {target}{kinds or ' (' + TEXT['subscription_all_kinds'][language] + ')'}"
                     f" – {delivery_phrase(item, language)}")
    if answer.stopped:
        lines.append(say("subscription_stopped", language,
                         why=failure_reason(answer.stopped, language)))
    return "\n".join(lines)


def delivery_phrase(item: SubscriptionItem, language: Language) -> str:
    """"sist varslet 12.11.2026", and why delivery fails when it does."""
    last = (say("subscription_last", language, date=format_date(item.last_delivered, language))
            if item.last_delivered else say("subscription_never", language))
    if item.failing:
        return f"{last}; {say('subscription_failing', language, why=failure_reason(item.failing, language))}"
    return last


def failure_reason(error: str, language: Language) -> str:
    """A delivery error as people understand it: removed, throttled, given up, or an error."""
    text = error.lower()
    if any(mark in text for mark in ("403", "404", "forbidden", "notfound", "not found",
                                     "no conversation", "removed", "disabled")):
        return say("why_removed", language)
    if "429" in text or "too many" in text:
        return say("why_throttled", language)
    if text.startswith("dead"):
        return say("why_dead", language)
    return say("why_error", language)


@render.register
def _(answer: SubscriptionHelp) -> str:
    language = answer.language
    lines = []
    if answer.unknown_kinds:
        lines.append(say("subscription_unknown_kinds", language, words=" ".join(answer.unknown_kinds)))
    lines.append(say("subscription_help", language))
    lines.extend(f"- {e}" for e in answer.examples)
    return "\n".join(lines)
