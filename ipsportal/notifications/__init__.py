"""The delivery outbox: every message the portal sends goes through one table.

A message is enqueued as a :class:`~ipsportal.notifications.models.Delivery` inside the
business transaction that causes it, with a unique dedupe key; a worker claims the row with
a conditional update, checks that the message is still due and the recipient may still see
its subject, sends it outside any transaction with a timeout, and marks it sent or failed.
Rows left claimed by a worker that died are reclaimed. Apps declare their kinds of message in
``<app>/deliveries.py``.
"""
