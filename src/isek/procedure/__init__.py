"""The funding procedure between a city and its funding authority (issue #23): the application
(Antrag / Programmanmeldung) for a programme year, in versions; later the review, the approval
and the payments (decision 0053)."""
