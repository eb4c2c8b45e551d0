"""Examples for the contract where a value cannot be guessed from its type
(docs/api-contract.md): the demo item 残疾人证换领 in both languages."""

NAME_ZH = "残疾人证换领"
NAME_EN = "Replacement of Disability Certificate"
KEYWORDS_EN = ["disability certificate", "replacement"]
ENGLISH_GUIDE = {"name": NAME_EN, "keywords": KEYWORDS_EN, "department_name": "Municipal Disabled Persons' Federation",
                 "item_type": "Administrative confirmation", "level": "City", "service_object": ["Individuals"],
                 "steps": ["Acceptance", "Review", "Completion"],
                 "materials": [{"code": "M01", "name": "居民身份证", "form": "Original",
                                "source": "Provided by the applicant"}]}
