"""gc_paused: the collector is off while a stage builds token lists, and back as it was after."""

import gc

from textpipe.stages.base import gc_paused


class _Cycle:
    def __init__(self):
        self.me = self


def test_collector_is_paused_inside_and_restored_after():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # a process that had it off keeps it off
    finally:
        gc.enable()


def test_what_was_built_goes_to_the_oldest_generation_without_a_scan():
    with gc_paused():
        built = [[str(i)] for i in range(5000)]
    assert gc.get_count()[0] < 100  # no pending young objects to scan
    assert gc.get_freeze_count() == 0  # nothing is left frozen
    assert all(gc.is_tracked(doc) for doc in built[:10])


def test_young_cyclic_garbage_is_collected_on_entry():
    gc.collect()
    _Cycle()  # unreachable, freed only by the collector
    assert any(type(o) is _Cycle for o in gc.get_objects(generation=0))
    with gc_paused():
        pass
    assert not any(type(o) is _Cycle for o in gc.get_objects())


def test_a_process_with_frozen_objects_is_left_alone():
    keep = [[1]]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with gc_paused():
            [[str(i)] for i in range(100)]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
    assert keep
