"""What citizens, moderators and planners do in a participation phase. Every rule is here, so the
pages, the API and any import obey the same: the phase must be open for the action, an idea must
lie inside the phase's area, texts have limits, one support per person, reports hide a
contribution at the phase's threshold, every moderation decision is logged and its reason shown
to the author. Abuse protection of the web channel (proof of work, honeypot, rate limits) is in
``abuse``; it is the channel's, not a rule of the domain.

One module per topic; this package is the app's public face and names here what other code uses
(``from isek.participation import services``; ``services.send_idea(…)``)."""

from ..models import (
    Comment,
    Contributor,
    Decision,
    Flag,
    Idea,
    ImportSource,
    Outcome,
    Phase,
    RejectReason,
    ReportPdf,
    Status,
    Support,
    Theme,
    ThemeReview,
    report_filename,
)
from . import supports
from .comments import comment, send_comment
from .contributors import Sent, UnknownContributor, contributor_for
from .evaluation import NO_THEME, Evaluation, confirm_theme, theme_evaluation
from .export import EXPORT_COLUMNS, export_features, export_rows
from .flags import flag, send_flag
from .groups import Groups, decide_duplicate, group_evaluation, groups_features, merge_groups, move_ideas, recompute, rename_group
from .ideas import (
    MAX_VERTICES,
    RESEND_WINDOW,
    idea_decisions,
    idea_for_author,
    ideas_features,
    ideas_of_measure,
    pending_feature,
    published_ideas,
    send_idea,
    submit_idea,
    visible_idea,
)
from .imports import commit_import, import_sources, plan_import, shown_problems
from .imports import summary as import_summary
from .measures import measure_participation
from .moderation import (
    answer,
    attach_reports,
    decide,
    decided,
    idea_numbered,
    locate,
    log,
    merged_ideas,
    moderated_phases,
    named,
    open_reports,
    queue,
)
from .phase import (
    SETTING_SECONDS,
    THEME_PALETTE,
    area_features,
    concepts_with_current_phase,
    current_phase,
    phase_state,
    phase_summary,
    phases,
    places,
    save_phase,
    submission_setting,
)
from .report import (
    KEEP_PDFS,
    EvaluationReport,
    cancel_report_pdf,
    evaluation_changed_at,
    evaluation_report,
    method_text,
    newest_report_pdf,
    report_features,
    report_pdf_file,
    report_pdf_state,
    report_pdfs_of,
    report_phase,
    report_xlsx,
    retry_report_pdf,
    run_report_pdf,
    start_report_pdf,
)
from .retention import delete_contributions, deletion_link_known, forget_account, purge_personal_data
from .rules import PUBLIC_STATUSES
from .stats import counters, statistics
from .supports import confirm_support, read_support_link, send_support, support, support_link_token

__all__ = [
    "moderated_phases",
    # the entity types other apps may construct and read
    "Comment", "Contributor", "Decision", "Flag", "Idea", "ImportSource", "Outcome", "Phase", "RejectReason", "Status",
    "Support", "Theme", "ThemeReview",
    # phases and what a submission reads
    "SETTING_SECONDS", "THEME_PALETTE", "area_features", "concepts_with_current_phase", "current_phase", "phase_state", "phase_summary", "phases",
    "places", "save_phase", "submission_setting",
    # contributions from outside, each with its contributor in one transaction
    "PUBLIC_STATUSES", "Sent", "UnknownContributor", "contributor_for",
    "MAX_VERTICES", "RESEND_WINDOW", "idea_decisions", "idea_for_author", "ideas_features", "ideas_of_measure", "pending_feature",
    "published_ideas",
    "send_idea", "submit_idea", "visible_idea",
    "comment", "send_comment", "support", "send_support", "supports", "confirm_support", "read_support_link",
    "support_link_token", "flag", "send_flag", "measure_participation",
    # moderation, retention, figures, exports
    "answer", "attach_reports", "decide", "decided", "idea_numbered", "locate", "log", "merged_ideas", "named", "open_reports", "queue",
    "delete_contributions", "deletion_link_known", "forget_account", "purge_personal_data",
    "NO_THEME", "Evaluation", "theme_evaluation", "confirm_theme",
    "Groups", "group_evaluation", "groups_features", "merge_groups", "move_ideas", "rename_group", "recompute",
    "decide_duplicate",
    "EvaluationReport", "evaluation_report", "method_text", "report_features", "report_phase",
    "report_xlsx", "ReportPdf", "start_report_pdf", "report_pdfs_of", "report_pdf_state", "cancel_report_pdf",
    "retry_report_pdf", "report_pdf_file", "newest_report_pdf", "run_report_pdf", "evaluation_changed_at", "KEEP_PDFS",
    "report_filename",
    "counters", "statistics", "EXPORT_COLUMNS", "export_features", "export_rows",
    # contributions collected elsewhere (issue 24)
    "commit_import", "import_sources", "import_summary", "plan_import", "shown_problems",
]
