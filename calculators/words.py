"""The calculators' own words (labels, messages, plain-language templates) in every language they speak.

These are the calculator's interface, not handbook text: every handbook sentence, name and number comes from the
compiled data. Templates take their numbers and names as arguments.
"""

from __future__ import annotations

from fractions import Fraction

LANGUAGES: tuple[str, ...] = ("en", "es")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        # inputs
        "field_behavior": "Behavior",
        "field_school_level": "School level",
        "field_offense": "Offense number",
        "field_damage_usd": "Value in dollars",
        "field_days_absent": "Days absent",
        "field_days_enrolled": "Days enrolled",
        "field_lang": "Language",
        "field_calculator": "Calculator",
        # errors
        "err_required": "{field}: enter a value.",
        "err_no_attendance": "This handbook's data has no attendance tiers.",
        "err_not_number": "{field}: “{value}” is not a number this calculator can read. {forms}",
        "err_not_finite": "{field}: enter an ordinary number (not NaN or infinity).",
        "err_negative": "{field}: cannot be negative. Enter 0 or more.",
        "err_ambiguous": "{field}: “{value}” can be read as {readings}. {forms}",
        "ambiguous_decimals": "{value} (with decimals)",
        "err_too_large": "{field}: the number is too large for this field (at most {maximum}). Check the number.",
        "err_decimals": "{field}: write at most {places} decimal places.",
        # the number reader's rules (calculators/numbers.py), shown with every number it cannot read
        "number_forms": "Write the number with the digits 0-9 and a point for decimals, for example 14, 17.9, "
                        "999.99, 1000, 1,000 or 12,500.50 (a comma only between groups of three digits).",
        "read_as": "{field}: read as {value}.",
        "err_enrolled_zero": "{field}: must be more than 0.",
        "err_absent_over_enrolled": "Days absent ({absent}) cannot be more than days enrolled ({enrolled}). "
                                    "Check both numbers.",
        "err_offense_whole": "{field}: enter a whole number: 1 for a first offense, 2 for a second, and so on.",
        "err_offense_min": "{field}: must be 1 or more (1 = first offense).",
        "err_unknown_level": "{field}: “{value}” is not a school level. Choose one of: {choices}.",
        "err_unknown_behavior": "{field}: there is no behavior “{value}” in {matrix}. Enter a behavior's name as "
                                "printed, one of its codes, or pick it from the list.",
        "err_code_not_in_matrix": "{field}: the code {code} ({names}) has no row in {matrix}.",
        "err_ambiguous_code": "{field}: the code {code} is used by several behaviors in {matrix}: {rows}. "
                              "Choose one of them by name.",
        "err_damage_required": "{field}: the response to “{behavior}” depends on the value involved. "
                               "Enter the value in dollars.",
        "err_unknown_lang": "{field}: “{value}” is not a language of this calculator. Use one of: {choices}.",
        "err_bad_json": "The request could not be read (it is not valid JSON).",
        "err_request_too_large": "The request is too long to be a calculator's question.",
        "err_request_too_deep": "The request is nested too deeply to be a calculator's question.",
        "err_bad_request": "The request must be an object with “calculator” and “args”.",
        "err_unknown_calculator": "{field}: “{value}” is not a calculator. Use one of: {choices}.",
        "err_unexpected_arg": "“{value}” is not an input of this calculator. Its inputs are: {choices}.",
        "err_internal": "The calculator could not answer this. Please use the printed tables.",
        "err_no_data": "The calculator's handbook data is missing. Please use the printed tables.",
        # units
        "unit_school_days_one": "school day",
        "unit_school_days_other": "school days",
        "unit_calendar_days_one": "calendar day",
        "unit_calendar_days_other": "calendar days",
        "unit_calendar_years_one": "calendar year",
        "unit_calendar_years_other": "calendar years",
        "unit_days_one": "day",
        "unit_days_other": "days",
        "unit_dollars_one": "dollar",
        "unit_dollars_other": "dollars",
        # consequence: plain reading
        "action_days": "{name}, {days} {unit}",
        "action_unspecified_parent_contact": "Parent contact (the matrix does not say whether by a staff member "
                                            "or by an administrator)",
        "action_days_without_response": "{days} {unit} (the matrix gives the days but does not name the response)",
        "action_joiner": "; ",
        "band_option": "{band}: {plain}",
        "offense_label": "{ordinal} offense",
        "summary": "{offense} of “{behavior}” ({matrix}, {level}): {plain}.",
        "status_beyond_printed": "The matrix lists responses up to the {last}. For a {offense} it prints nothing "
                                 "more: the highest response it lists is the {last}'s, shown here.",
        "status_no_later_entry": "The matrix has no entry for a {offense} of this behavior: its entries end at "
                                 "the {last} ({text}). Shown here is that last entry.",
        "value_band": "Value {value}: {band}.",
        "value_gap": "The handbook gives no response for a value of exactly {value}: its bands are {bands}. "
                     "Both readings are shown; an administrator decides.",
        "value_gap_same": "The handbook gives no band for a value of exactly {value} (its bands are {bands}), "
                          "but every band gives the same response here.",
        "value_in_range": "Value {value}: within this row's range.",
        "value_outside_row": "The value {value} is outside this row's range (“{row}”). The row for that value "
                             "is “{other}”.",
        "value_not_covered": "The value {value} is outside this row's range (“{row}”), and no row covers exactly "
                             "{value} ({rows}). The handbook leaves this value out; an administrator decides.",
        "value_not_used": "This behavior's response does not depend on a value: {value} was not used.",
        "list_joiner": "; ",
        "or": "or",
        "and": "and",
        # consequence: notes
        "note_status": "Offense number",
        "note_value": "Value",
        "note_discretion": "Administrative discretion",
        "note_discretion_text": "The matrix gives minimum guidelines; administrators use their discretion in "
                                "every case.",
        "note_short_term": "Appeal",
        "note_short_term_text_no": "Suspensions of {min}–{max} {unit} ({codes}) are not subject to appeal.",
        "note_short_term_text_yes": "Suspensions of {min}–{max} {unit} ({codes}) may be appealed.",
        "note_due_process": "Due process: {names}",
        "note_due_process_text": "{names}: a hearing, then appeals, each with its deadline:",
        "step_deadline": "{step}: within {days} {unit}",
        "step_hearing": "Hearing",
        "step_appeal-superintendent": "Appeal to the Superintendent",
        "step_appeal-board": "Appeal to the School Board",
        "note_disabilities": "Students with disabilities",
        "note_disabilities_text": "In the special circumstances the handbook lists, a student with a disability "
                                  "may be placed in an interim alternative educational setting for up to "
                                  "{days} {unit}.",
        "note_disabilities_text_plain": "The handbook's special circumstances for students with disabilities "
                                        "apply.",
        "note_iep_review": "Students with disabilities: before {names}",
        "note_iep_review_text": "For a student with a disability, the handbook sets a step that comes first:",
        # absentee
        "percent": "{value}%",
        "abs_summary": "{absent} of {enrolled} days absent: an absentee rate of {rate}. {tier} ({need}).",
        "rule_as_printed": "{rate} is within {tier}'s printed range ({range}).",
        "rule_gap": "The printed ranges leave a gap: {tier} is printed as {range} and {next} starts at {next_from}. "
                    "{rate} is below {next_from}, so it counts as {tier}.",
        "chronic_yes": "Chronically absent: the rate is {threshold} or more.",
        "chronic_no": "Not chronically absent (that starts at {threshold}).",
        "next_tier": "{next} starts at {from_}: {n} more {days} absent would reach it (counting each further "
                     "absence as one more day enrolled).",
        "last_tier": "This is the last tier. Continued absences bring: {title}.",
        "absences_counted": "Absences counted: {kinds}.",
        "absence_excused": "excused",
        "absence_unexcused": "unexcused",
        # labels a page or the command line shows beside results
        "label_handbook_text": "The handbook says",
        "label_plain": "In plain words",
        "label_definitions": "Definition",
        "label_meanings": "What the responses mean",
        "label_notes": "Notes",
        "label_rate": "Absentee rate",
        "label_tier": "Tier",
        "label_chronic": "Chronic absence",
        "label_next_tier": "Next tier",
        "label_referral": "After the last tier",
        "label_see": "See {page}",
        "label_in_handbook": "In the handbook",
        "view_title_consequence": "{behavior}: {offense} ({matrix}, {level})",
        "view_title_absentee": "{tier} ({need}): {rate}",
        "view_quote_label": "The handbook says ({column}):",
        # issue 23: a behavior picked under one school level, asked under another
        "err_listed_differently": "{field}: “{behavior}” is listed differently in {matrix}. Choose one of: {rows}.",
        "err_not_in_this_matrix": "{field}: “{behavior}” is not in {matrix}. Choose a behavior from its list.",
    },
    "es": {
        "field_behavior": "Conducta",
        "field_school_level": "Nivel escolar",
        "field_offense": "Número de infracción",
        "field_damage_usd": "Valor en dólares",
        "field_days_absent": "Días de ausencia",
        "field_days_enrolled": "Días de inscripción",
        "field_lang": "Idioma",
        "field_calculator": "Calculadora",
        "err_required": "{field}: escriba un valor.",
        "err_no_attendance": "Los datos de este manual no tienen niveles de asistencia.",
        "err_not_number": "{field}: “{value}” no es un número que esta calculadora pueda leer. {forms}",
        "err_not_finite": "{field}: escriba un número común (no NaN ni infinito).",
        "err_negative": "{field}: no puede ser negativo. Escriba 0 o más.",
        "err_ambiguous": "{field}: “{value}” se puede leer como {readings}. {forms}",
        "ambiguous_decimals": "{value} (con decimales)",
        "err_too_large": "{field}: el número es demasiado grande para este dato (como máximo {maximum}). "
                         "Revise el número.",
        "err_decimals": "{field}: escriba como máximo {places} decimales.",
        "number_forms": "Escriba el número con las cifras del 0 al 9, por ejemplo 14, 17,9 o 17.9, 999,99 o "
                        "999.99, 1000, 1.000,50 o 1,000.50. Para mil, escriba 1000: “1.000” y “1,000” se pueden "
                        "leer como mil o como uno.",
        "read_as": "{field}: leído como {value}.",
        "err_enrolled_zero": "{field}: debe ser mayor que 0.",
        "err_absent_over_enrolled": "Los días de ausencia ({absent}) no pueden ser más que los días de "
                                    "inscripción ({enrolled}). Revise ambos números.",
        "err_offense_whole": "{field}: escriba un número entero: 1 para una primera infracción, 2 para una "
                             "segunda, y así sucesivamente.",
        "err_offense_min": "{field}: debe ser 1 o más (1 = primera infracción).",
        "err_unknown_level": "{field}: “{value}” no es un nivel escolar. Elija uno de estos: {choices}.",
        "err_unknown_behavior": "{field}: no hay ninguna conducta “{value}” en {matrix}. Escriba el nombre de "
                                "una conducta tal como aparece impreso, uno de sus códigos, o elíjala de la lista.",
        "err_code_not_in_matrix": "{field}: el código {code} ({names}) no tiene ninguna fila en {matrix}.",
        "err_ambiguous_code": "{field}: varias conductas de {matrix} usan el código {code}: {rows}. "
                              "Elija una de ellas por su nombre.",
        "err_damage_required": "{field}: la respuesta a “{behavior}” depende del valor en cuestión. "
                               "Escriba el valor en dólares.",
        "err_unknown_lang": "{field}: “{value}” no es un idioma de esta calculadora. Use uno de estos: {choices}.",
        "err_bad_json": "No se pudo leer la solicitud (no es JSON válido).",
        "err_request_too_large": "La solicitud es demasiado larga para ser una pregunta a la calculadora.",
        "err_request_too_deep": "La solicitud tiene demasiados niveles anidados para ser una pregunta a la "
                                "calculadora.",
        "err_bad_request": "La solicitud debe ser un objeto con “calculator” y “args”.",
        "err_unknown_calculator": "{field}: “{value}” no es una calculadora. Use una de estas: {choices}.",
        "err_unexpected_arg": "“{value}” no es un dato de esta calculadora. Sus datos son: {choices}.",
        "err_internal": "La calculadora no pudo responder a esto. Use las tablas impresas.",
        "err_no_data": "Faltan los datos del manual de la calculadora. Use las tablas impresas.",
        "unit_school_days_one": "día escolar",
        "unit_school_days_other": "días escolares",
        "unit_calendar_days_one": "día calendario",
        "unit_calendar_days_other": "días calendario",
        "unit_calendar_years_one": "año calendario",
        "unit_calendar_years_other": "años calendario",
        "unit_days_one": "día",
        "unit_days_other": "días",
        "unit_dollars_one": "dólar",
        "unit_dollars_other": "dólares",
        "action_days": "{name}, {days} {unit}",
        "action_unspecified_parent_contact": "Contacto con los padres (la matriz no dice si lo hace un miembro "
                                            "del personal o un administrador)",
        "action_days_without_response": "{days} {unit} (la matriz da los días pero no nombra la respuesta)",
        "action_joiner": "; ",
        "band_option": "{band}: {plain}",
        "offense_label": "{ordinal} infracción",
        "summary": "{offense} de “{behavior}” ({matrix}, {level}): {plain}.",
        "status_beyond_printed": "La matriz indica respuestas hasta la {last}. Para una {offense} no indica nada "
                                 "más: la respuesta más alta que indica es la de la {last}, que se muestra aquí.",
        "status_no_later_entry": "La matriz no tiene ninguna entrada para una {offense} de esta conducta: sus "
                                 "entradas terminan en la {last} ({text}). Aquí se muestra esa última entrada.",
        "value_band": "Valor {value}: {band}.",
        "value_gap": "El manual no da ninguna respuesta para un valor de exactamente {value}: sus rangos son "
                     "{bands}. Se muestran ambas lecturas; decide un administrador.",
        "value_gap_same": "El manual no da ningún rango para un valor de exactamente {value} (sus rangos son "
                          "{bands}), pero aquí todos los rangos dan la misma respuesta.",
        "value_in_range": "Valor {value}: dentro del rango de esta fila.",
        "value_outside_row": "El valor {value} está fuera del rango de esta fila (“{row}”). La fila para ese "
                             "valor es “{other}”.",
        "value_not_covered": "El valor {value} está fuera del rango de esta fila (“{row}”) y ninguna fila cubre "
                             "exactamente {value} ({rows}). El manual deja fuera este valor; decide un "
                             "administrador.",
        "value_not_used": "La respuesta a esta conducta no depende de un valor: no se usó {value}.",
        "list_joiner": "; ",
        "or": "o",
        "and": "y",
        "note_status": "Número de infracción",
        "note_value": "Valor",
        "note_discretion": "Discreción administrativa",
        "note_discretion_text": "La matriz da pautas mínimas; los administradores usan su criterio en todos "
                                "los casos.",
        "note_short_term": "Apelación",
        "note_short_term_text_no": "Las suspensiones de {min}–{max} {unit} ({codes}) no están sujetas a "
                                   "apelación.",
        "note_short_term_text_yes": "Las suspensiones de {min}–{max} {unit} ({codes}) se pueden apelar.",
        "note_due_process": "Debido proceso: {names}",
        "note_due_process_text": "{names}: una audiencia y luego apelaciones, cada una con su plazo:",
        "step_deadline": "{step}: dentro de {days} {unit}",
        "step_hearing": "Audiencia",
        "step_appeal-superintendent": "Apelación ante el Superintendente",
        "step_appeal-board": "Apelación ante la Junta Escolar",
        "note_disabilities": "Estudiantes con discapacidades",
        "note_disabilities_text": "En las circunstancias especiales que indica el manual, un estudiante con una "
                                  "discapacidad puede ser trasladado a un entorno educativo alternativo "
                                  "provisional por hasta {days} {unit}.",
        "note_disabilities_text_plain": "Se aplican las circunstancias especiales del manual para los "
                                        "estudiantes con discapacidades.",
        "note_iep_review": "Estudiantes con discapacidades: antes de {names}",
        "note_iep_review_text": "Para un estudiante con una discapacidad, el manual establece un paso que va "
                                "primero:",
        "percent": "{value}%",
        "abs_summary": "Ausente {absent} de {enrolled} días: una tasa de ausentismo de {rate}. "
                       "{tier} ({need}).",
        "rule_as_printed": "{rate} está dentro del rango impreso de {tier} ({range}).",
        "rule_gap": "Los rangos impresos dejan un hueco: {tier} aparece como {range} y {next} empieza en "
                    "{next_from}. {rate} es menos de {next_from}, así que cuenta como {tier}.",
        "chronic_yes": "Ausentismo crónico: la tasa es de {threshold} o más.",
        "chronic_no": "Sin ausentismo crónico (empieza en {threshold}).",
        "next_tier": "{next} empieza en {from_}: se alcanzaría con {n} {days} más de ausencia (contando cada "
                     "ausencia adicional como un día más de inscripción).",
        "last_tier": "Este es el último nivel. Si las ausencias continúan: {title}.",
        "absences_counted": "Ausencias que se cuentan: {kinds}.",
        "absence_excused": "justificadas",
        "absence_unexcused": "injustificadas",
        "label_handbook_text": "El manual dice",
        "label_plain": "En palabras sencillas",
        "label_definitions": "Definición",
        "label_meanings": "Qué significan las respuestas",
        "label_notes": "Notas",
        "label_rate": "Tasa de ausentismo",
        "label_tier": "Nivel",
        "label_chronic": "Ausentismo crónico",
        "label_next_tier": "Nivel siguiente",
        "label_referral": "Después del último nivel",
        "label_see": "Vea {page}",
        "label_in_handbook": "En el manual",
        "view_title_consequence": "{behavior}: {offense} ({matrix}, {level})",
        "view_title_absentee": "{tier} ({need}): {rate}",
        "view_quote_label": "El manual dice ({column}):",
        # issue 23: a behavior picked under one school level, asked under another
        "err_listed_differently": "{field}: “{behavior}” aparece de otra forma en {matrix}. Elija una de estas "
                                  "conductas: {rows}.",
        "err_not_in_this_matrix": "{field}: “{behavior}” no está en {matrix}. Elija una conducta de su lista.",
    },
}


def word(lang: str, key: str, **values: object) -> str:
    """One of the calculator's own phrases, filled in."""
    text = WORDS[lang][key]
    return text.format(**values) if values else text


def ordinal(n: int, lang: str) -> str:
    """1 -> '1st' (en) / '1.ª' (es: 'infracción' is feminine)."""
    if lang == "es":
        return f"{n}.ª"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def number(value: Fraction | float | int, decimals: int = 3) -> str:
    """A number as a reader writes it: 14, 14.5, 9.444 (at most `decimals` places, no trailing zeros)."""
    text = f"{float(value):.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def money(value: Fraction | float | int) -> str:
    """$1,000 or $250.50 (the handbook's own style in both languages)."""
    amount = Fraction(value)
    if amount.denominator == 1:
        return f"${int(amount):,}"
    return f"${float(amount):,.2f}"


def unit(lang: str, unit_id: str | None, count: Fraction | float | int) -> str:
    key = unit_id if unit_id in ("school_days", "calendar_days", "calendar_years") else "days"
    return word(lang, f"unit_{key}_{'one' if count == 1 else 'other'}")


def join(items: list[str], lang: str) -> str:
    """'a, b and c' / 'a, b y c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word(lang, 'and')} {items[-1]}"
