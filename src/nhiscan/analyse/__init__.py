"""The analyse stage: derived facts computed from the inventory's raw documents.

``aws_policy`` evaluates IAM identity policies and classifies a principal's permissions;
``aws_trust`` reads role trust policies; ``aws_actions`` holds the action tables both use.
Nothing is imported here, so importing one analyser does not load the others.
"""
