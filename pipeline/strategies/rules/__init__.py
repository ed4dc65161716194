"""What a sentence's own wording says, used to gate and correct a small model's slot answers.

The 270M model says "yes" to most sentences with a cue word and confuses roles (observers
listed as participants, the recipient named as donor). These rules read a sentence's verbs,
prepositions and lists, which a base model ignores: `phrases` holds what all record types
share, and `exercise`, `aid` and `agreement` what each reads for its own fields.
"""
