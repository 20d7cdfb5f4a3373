"""A beat scheduler for the Celery tests: the portal's schedule plus the reminder sweep every second.

``celery -A chashan_safety beat -S tests.celery.beat_every_second:EverySecondScheduler`` publishes
a sweep each second to the queue named by ``CHASHAN_TEST_QUEUE``, so a test sees in seconds what
beat does when the broker is down, instead of waiting for 07:05.
"""

from __future__ import annotations

import os

from celery.beat import PersistentScheduler


class EverySecondScheduler(PersistentScheduler):
    def setup_schedule(self):
        super().setup_schedule()
        self.update_from_dict(
            {
                "reminder-sweep-every-second": {
                    "task": "chashan_safety.tasks.reminder_sweep",
                    "schedule": 1.0,
                    "options": {"queue": os.environ["CHASHAN_TEST_QUEUE"], "expires": 30},
                }
            }
        )
