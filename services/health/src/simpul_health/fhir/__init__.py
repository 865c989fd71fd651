"""FHIR R4 export for SATUSEHAT, Kemenkes's national FHIR R4 platform.

The resources are built with ``fhir.resources``' R4B models (``fhir.resources.R4B``): R4B
changed only a few resources (medication definitions, subscriptions, evidence) and left those
exported here (Patient, Observation, Immunization, Condition, Bundle) as in R4, so the JSON is
valid R4. The models validate on construction; ``bundle.collection`` assembles a posyandu day.
``codes`` holds the code systems, codes and units as data, ``resources`` the builders.
"""
