"""What the participant's file page says about the rows the selectors read: the dated French
sentences of the timeline, the alerts, the side panel. Nothing here queries the database."""
