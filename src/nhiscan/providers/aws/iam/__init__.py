"""AWS IAM semantics: the action tables (:mod:`.actions`), the policy evaluator (:mod:`.policy`)
and trust-policy analysis (:mod:`.trust`). Nothing is imported here so that importing one module
does not load the others."""
