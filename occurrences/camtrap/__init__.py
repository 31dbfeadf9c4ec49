"""Camera-trap surveys: Camtrap DP 1.0 and Wildlife Insights in, effort and detection rates, Camtrap DP and
sampling-event Darwin Core Archives out.

Every reader produces, and every writer takes, one :class:`~occurrences.camtrap.model.CamtrapPackage`.
"""
