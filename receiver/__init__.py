"""The Sign-Off form's acknowledgement receiver: stores the form's records once, counts who has signed per school
and grade against the roster, exports CSV for the student information system. SQLite or PostgreSQL."""
