"""Reports for organisers, read from the tracker store: the unanswered-questions
inbox (``unanswered``) and the HTML usage report (``usage``)."""
