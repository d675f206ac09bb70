"""Guards every ticket passes before it is embedded, logged, indexed or sent to a model.

- ``sanitize``: strips invisible characters (zero-width, bidi controls, Unicode tags)
  that can hide text from a reader but not from a model.
- ``pii``: finds card numbers, SSNs, IBANs, routing and account numbers, emails, phones
  and street addresses, and replaces them with typed placeholders.
- ``injection``: scores ticket text as untrusted input that may try to instruct a model.
"""
