"""The deadline calculator's own words (labels, messages, dates) in every language it speaks.

Kept beside words.py rather than in it while the calculators' words are being edited elsewhere; no handbook
sentence is here (those come from the compiled data)."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "field_date": "Date",
        "field_step": "Step",
        "field_event": "What happened",
        "err_required": "{field}: enter a value.",
        "err_date_format": "{field}: “{value}” is not a date. Enter it as year-month-day, for example 2025-10-06.",
        "err_date_impossible": "{field}: {value} does not exist (check the month and the day).",
        "err_date_outside": "{field}: {value} is outside every school year of the calendar, which runs from {first} "
                            "to {last}.",
        "err_unknown_step": "{field}: “{value}” is not a step of the handbook's deadlines. Use one of: {choices}.",
        "err_unknown_event": "{field}: “{value}” is not an event any deadline counts from. Use one of: {choices}.",
        "err_no_days_left": "{field}: the calendar has no day left to count after {date}.",
        "err_no_deadlines": "This handbook's data has no deadlines.",
        "date": "{weekday}, {month} {day}, {year}",
        "weekday_0": "Monday", "weekday_1": "Tuesday", "weekday_2": "Wednesday", "weekday_3": "Thursday",
        "weekday_4": "Friday", "weekday_5": "Saturday", "weekday_6": "Sunday",
        "month_1": "January", "month_2": "February", "month_3": "March", "month_4": "April", "month_5": "May",
        "month_6": "June", "month_7": "July", "month_8": "August", "month_9": "September", "month_10": "October",
        "month_11": "November", "month_12": "December",
        "unit_school_days_one": "school day", "unit_school_days_other": "school days",
        "unit_calendar_days_one": "calendar day", "unit_calendar_days_other": "calendar days",
        "unit_working_days_one": "working day", "unit_working_days_other": "working days",
        "unit_hours_one": "hour", "unit_hours_other": "hours",
        "unit_calendar_months_one": "calendar month", "unit_calendar_months_other": "calendar months",
        "summary_after": "{who}: {does}. Last day: {last} ({amount} after {date}).",
        "summary_before": "{who}: {does}. At the latest on {last} ({amount} before {date}).",
        "skipped_one": "{day}: {reason}",
        "skipped_run": "{first} to {last}: {reason}",
        "weekend": "weekend",
        "note_no_calendar": "No school calendar has been published for this handbook: school days and working days "
                            "are counted here as Monday to Friday, without holidays or breaks. Check the dates with "
                            "the school.",
        "note_hours": "{hours} hours before the hearing: by the hearing's time of day on {last}.",
        "note_summer": "Part of this count falls after the school year: there, as Section VIII says, school days are "
                       "the administrative office's working days.",
        "note_from_unstated": "The handbook does not say from when this counts; counted here from “{event}”.",
        "note_unit_unstated": "The handbook gives {count} days without saying which kind; counted here as {unit}.",
        "view_title": "Deadlines after: {event}",
        "view_intro": "{event}: {date}. Counting starts the next day.",
        "label_last_day": "Last day: {last} ({amount}).",
        "label_not_counted": "Days not counted: {days}.",
    },
    "es": {
        "field_date": "Fecha",
        "field_step": "Paso",
        "field_event": "Qué ocurrió",
        "err_required": "{field}: escriba un valor.",
        "err_date_format": "{field}: “{value}” no es una fecha. Escríbala como año-mes-día, por ejemplo 2025-10-06.",
        "err_date_impossible": "{field}: {value} no existe (revise el mes y el día).",
        "err_date_outside": "{field}: {value} está fuera de todos los años escolares del calendario, que va del {first} "
                            "al {last}.",
        "err_unknown_step": "{field}: “{value}” no es un paso de los plazos del manual. Use uno de estos: {choices}.",
        "err_unknown_event": "{field}: “{value}” no es un hecho desde el que se cuente algún plazo. Use uno de estos: "
                             "{choices}.",
        "err_no_days_left": "{field}: el calendario no tiene más días que contar después del {date}.",
        "err_no_deadlines": "Los datos de este manual no tienen plazos.",
        "date": "{weekday} {day} de {month} de {year}",
        "weekday_0": "lunes", "weekday_1": "martes", "weekday_2": "miércoles", "weekday_3": "jueves",
        "weekday_4": "viernes", "weekday_5": "sábado", "weekday_6": "domingo",
        "month_1": "enero", "month_2": "febrero", "month_3": "marzo", "month_4": "abril", "month_5": "mayo",
        "month_6": "junio", "month_7": "julio", "month_8": "agosto", "month_9": "septiembre", "month_10": "octubre",
        "month_11": "noviembre", "month_12": "diciembre",
        "unit_school_days_one": "día escolar", "unit_school_days_other": "días escolares",
        "unit_calendar_days_one": "día calendario", "unit_calendar_days_other": "días calendario",
        "unit_working_days_one": "día hábil", "unit_working_days_other": "días hábiles",
        "unit_hours_one": "hora", "unit_hours_other": "horas",
        "unit_calendar_months_one": "mes calendario", "unit_calendar_months_other": "meses calendario",
        "summary_after": "{who}: {does}. Último día: {last} ({amount} después del {date}).",
        "summary_before": "{who}: {does}. A más tardar el {last} ({amount} antes del {date}).",
        "skipped_one": "{day}: {reason}",
        "skipped_run": "del {first} al {last}: {reason}",
        "weekend": "fin de semana",
        "note_no_calendar": "No se ha publicado un calendario escolar para este manual: aquí los días escolares y los "
                            "días hábiles se cuentan de lunes a viernes, sin feriados ni vacaciones. Confirme las "
                            "fechas con la escuela.",
        "note_hours": "{hours} horas antes de la audiencia: a más tardar el {last}, a la misma hora que la audiencia.",
        "note_summer": "Parte de este plazo cae después del año escolar: ahí, como dice la Sección VIII, los días "
                       "escolares son los días hábiles de las oficinas administrativas.",
        "note_from_unstated": "El manual no dice desde cuándo se cuenta; aquí se cuenta desde “{event}”.",
        "note_unit_unstated": "El manual da {count} días sin decir de qué tipo; aquí se cuentan como {unit}.",
        "view_title": "Plazos después de: {event}",
        "view_intro": "{event}: {date}. Se empieza a contar al día siguiente.",
        "label_last_day": "Último día: {last} ({amount}).",
        "label_not_counted": "Días que no se cuentan: {days}.",
    },
}
