"""The notifier: e-mail to a workflow task's assignees when the task is created, reassigned or escalated."""
