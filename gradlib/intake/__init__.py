"""New students (Art 1-4): intake checks, class rosters for signature, reviews, corrections, status changes, exports."""
