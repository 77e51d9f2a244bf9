"""The analyse stage: facts derived from the raw documents collectors read.

AWS: :mod:`~nhiscan.analyse.aws_policy` evaluates IAM identity policies and classifies a
principal's permissions, :mod:`~nhiscan.analyse.aws_trust` reads role trust policies, and
:mod:`~nhiscan.analyse.aws_actions` holds the action tables both use. Nothing is imported here,
so importing one analyser does not load the others.
"""
