"""R1: 20 threads × 50 saves of one participant through participants.services.participant_update
(optimistic locking, quality.md §4): each thread makes 50 save attempts, re-reading the file
before each one, so an attempt refused with ConflictError is retried on fresh data. No update
is lost: the final version counts exactly the successful saves, and a counter every save
increments (read, +1, write — the classic lost-update pattern) ends at that same number."""

import threading

import pytest
from django.db import connection

from participants import services
from participants.models import Participant
from tests import factories as f

THREADS = 20
SAVES = 50


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_lose_no_update(structure_a):
    actor = f.MembershipFactory(structure=structure_a).user
    participant = f.ParticipantFactory(structure=structure_a, orienteur="0")
    start_version = participant.version
    successes, conflicts, errors = [], [], []
    barrier = threading.Barrier(THREADS)

    def work() -> None:
        done = retried = 0
        try:
            barrier.wait()
            for _attempt in range(SAVES):
                current = Participant.objects.get(pk=participant.pk)
                try:
                    services.participant_update(
                        participant=current,
                        actor=actor,
                        expected_version=current.version,
                        orienteur=str(int(current.orienteur) + 1),
                    )
                except services.ConflictError:
                    retried += 1  # nothing written; the next attempt re-reads
                else:
                    done += 1
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            successes.append(done)
            conflicts.append(retried)
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors[:3]
    saved = sum(successes)
    assert saved + sum(conflicts) == THREADS * SAVES
    assert saved >= SAVES  # at least one thread's worth went through
    final = Participant.objects.get(pk=participant.pk)
    assert final.version == start_version + saved
    assert int(final.orienteur) == saved  # lost updates = 0
    assert sum(conflicts) > 0  # the threads really raced (the test exercises the lock)
