// Sillon's own behaviour; no inline scripts (CSP).
