"""What people run (``python -m bot …``): starting the servers (``serve``, ``cluster``),
the public ``gateway``, ``publish``, ``evaluation``, ``reports``, the FAQ spreadsheet
(``faq``) and ``retention``. Tools may use both other layers."""
