"""Writes of the community, by area: announcements, questions and answers (qa), events.
Each service checks the move with its machine (community.states), writes, audits
(log_action), emits its event and tells the people concerned."""
