"""Caseworkers' screens, one module per subject (participants, parcours, actions, …).

Views stay thin: they look objects up through the scoped selectors (404 outside the scope),
validate with the forms and write through participants.services.
"""
