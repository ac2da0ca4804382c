"""prm.tasks.dispatch_batched: many small items of one transaction go out as a few messages,
after the commit, and what a rolled-back savepoint added goes with it."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from accountmap.tasks_people import notify_overlaps_batch
from prm.tasks import _Batch, dispatch_batched, purge_idempotency_records

pytestmark = pytest.mark.django_db


def _batches() -> list[_Batch]:
    return [func for _ids, func, _robust in connection.run_on_commit if isinstance(func, _Batch)]


def test_items_of_one_transaction_are_collected_into_one_batch():
    with transaction.atomic():
        for n in range(5):
            dispatch_batched(notify_overlaps_batch, tenant_id=7, item=[n, [n]])
        # another tenant, and another task, are batches of their own
        dispatch_batched(notify_overlaps_batch, tenant_id=8, item=[9, [9]])
        dispatch_batched(purge_idempotency_records, tenant_id=7, item=1)
        batches = _batches()
        assert [(b.task, b.tenant_id, b.items) for b in batches] == [
            (notify_overlaps_batch, 7, [[n, [n]] for n in range(5)]),
            (notify_overlaps_batch, 8, [[9, [9]]]),
            (purge_idempotency_records, 7, [1]),
        ]
        transaction.set_rollback(True)


def test_a_rolled_back_savepoint_takes_its_items_with_it():
    with transaction.atomic():
        dispatch_batched(notify_overlaps_batch, tenant_id=7, item=[1, [1]])
        try:
            with transaction.atomic():
                dispatch_batched(notify_overlaps_batch, tenant_id=7, item=[2, [2]])
                raise RuntimeError
        except RuntimeError:
            pass
        with transaction.atomic():
            dispatch_batched(notify_overlaps_batch, tenant_id=7, item=[3, [3]])
        items = [item for batch in _batches() for item in batch.items]
        assert items == [[1, [1]], [3, [3]]]
        transaction.set_rollback(True)


def test_chunks_are_cut_by_weight_and_keep_every_item_in_order():
    batch = _Batch(notify_overlaps_batch, 7, 5, lambda item: len(item[1]))
    batch.items = [[1, [1, 2, 3]], [2, [4]], [3, [5, 6]], [4, [7] * 9], [5, [8]]]
    assert batch.chunks() == [
        [[1, [1, 2, 3]], [2, [4]], [3, [5, 6]]],
        [[4, [7] * 9]],
        [[5, [8]]],
    ]
    by_count = _Batch(notify_overlaps_batch, 7, 2, lambda _item: 1)
    by_count.items = list(range(5))
    assert by_count.chunks() == [[0, 1], [2, 3], [4]]
