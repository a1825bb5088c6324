"""Results for the committee: aggregation in SQL, honest statistics, suppression of small groups."""
