"""Segmentation metrics checked on cases computed by hand."""

from __future__ import annotations

import pytest

from generator.topics.scoring import boundary_f1, default_k, pk, windowdiff


def test_identical_segmentations_score_zero():
    assert pk([30, 70], [30, 70], 0, 100) == 0.0
    assert windowdiff([30, 70], [30, 70], 0, 100) == 0.0


def test_missing_boundary_by_hand():
    # 10 seconds, reference boundary at 5, none found, k=2: pairs (t, t+2) for t=0..7 disagree at t=3,4.
    assert pk([5], [], 0, 10, k=2) == pytest.approx(2 / 8)
    assert windowdiff([5], [], 0, 10, k=2) == pytest.approx(2 / 8)


def test_boundary_one_second_late_by_hand():
    # reference changes between 4|5, hypothesis between 5|6: disagreements at t=3 and t=5.
    assert pk([5], [6], 0, 10, k=2) == pytest.approx(2 / 8)
    assert windowdiff([5], [6], 0, 10, k=2) == pytest.approx(2 / 8)


def test_windowdiff_counts_boundaries_pk_does_not():
    # two hypothesis boundaries inside one k-window where the reference has one: Pk sees "different"
    # on both sides, WindowDiff sees 2 != 1.
    assert pk([5], [5, 6], 0, 10, k=3) < windowdiff([5], [5, 6], 0, 10, k=3)


def test_default_k_is_half_the_mean_reference_segment():
    assert default_k([50], 0, 100) == 25
    assert default_k([], 0, 100) == 50
    assert default_k([10, 20, 30], 0, 40) == 5


def test_boundary_f1_matches_one_to_one_within_tolerance():
    m = boundary_f1([100, 200], [110, 300], tolerance=20)
    assert (m.precision, m.recall, m.f1, m.matched) == (0.5, 0.5, 0.5, 1)
    m = boundary_f1([100], [95, 105], tolerance=20)
    assert (m.matched, m.precision, m.recall) == (1, 0.5, 1.0)
    assert m.f1 == pytest.approx(2 / 3)
    assert boundary_f1([100], [121], tolerance=20).f1 == 0.0
    assert boundary_f1([], [], tolerance=20).f1 == 1.0


def test_boundaries_outside_the_span_are_ignored():
    assert boundary_f1([0, 50], [50, 100], start=0, end=100).f1 == 1.0
    assert pk([0, 50, 100], [50], 0, 100) == 0.0
