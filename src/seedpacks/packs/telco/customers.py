"""Telco customers, after the public IBM Telco Customer Churn file (7,043 customers, 21 columns).

Columns keep the file's meaning in snake_case; Yes/No columns are booleans, the three-valued
service columns ('No internet service', 'No phone service') stay text as published.

Dependencies reproduced (the file's figures, each within sampling error at 7,043 customers):
- Customers with a partner stay longer: 18 % of them at tenure >= 69 (3.7 % without), mean
  tenure 42 against 23; 51 % of them have dependents, 10 % of the others, 8 % of seniors.
- Services are 'No internet service' exactly without internet, multiple lines 'No phone
  service' exactly without phone service (those customers all have DSL). Fiber goes with
  multiple lines and seniors. Services are taken more the longer the tenure (a copula of tenure
  and the services), so tenure and monthly charges correlate (Pearson 0.25).
- Monthly charges are the price of the services taken (about 20 without internet, 25-95 with
  DSL, 70-118.75 with fiber); total charges are tenure x monthly charges give or take past price
  changes (Pearson 0.83 with tenure, 0.65 with monthly charges), blank at tenure 0.
- Contracts lengthen with tenure (mean 18 months month-to-month, 42 one year, 57 two year);
  month-to-month is 77 % without tech support, 33 % with it, 69 % of fiber customers, 34 % of
  customers without internet.
- Electronic check is how 51.5 % of fiber customers pay, 48 % of month-to-month ones, 4.6 % of
  customers without internet (who mostly mail checks).
- Churn (26.5 %): month-to-month 0.43, one year 0.11, two year 0.03; fiber 0.42, DSL 0.19, no
  internet 0.074; electronic check 0.45; seniors 0.42; without tech support 0.42; 0.47 in the
  first year down to 0.066 after five years; none at tenure 0.
"""

from seedpacks.packs import gen
from seedpacks.packs.model import Column, CsvColumn, CsvMapping, Table
from seedpacks.packs.telco import account, services

CUSTOMERS = "telco_customers"
YES_NO = {"true": ["Yes", "1"], "false": ["No", "0"]}


def _yes_no(alias: str) -> CsvColumn:
    return CsvColumn(aliases=(alias,), parse=YES_NO)


def _flag(share: float) -> gen.Generator:
    return gen.choice([True, False], [share, 1 - share])


CUSTOMER_TABLE = Table(
    name=CUSTOMERS,
    description="Telecom customers: demographics, services, account and churn, as in the IBM file",
    rows=1000,
    primary_key=("customer_id",),
    copulas=(services.SERVICES_COPULA,),
    csv=CsvMapping(
        description=(
            "WA_Fn-UseC_-Telco-Customer-Churn.csv as published: the file's CamelCase headers, "
            "Yes/No (SeniorCitizen 1/0) as booleans, blank TotalCharges for 0-month customers"
        ),
        delimiters=(",",),
    ),
    columns=(
        Column(
            "customer_id",
            "text",
            gen.pattern_id("9999-AAAAA"),
            nullable=False,
            description="like 7590-VHVEG",
            csv=CsvColumn(aliases=("customerID",), required=True),
        ),
        Column("gender", "text", gen.choice(["Male", "Female"], [50.5, 49.5]), nullable=False),
        Column(
            "senior_citizen",
            "boolean",
            _flag(0.162),
            nullable=False,
            csv=_yes_no("SeniorCitizen"),
        ),
        Column("partner", "boolean", _flag(0.483), nullable=False, csv=_yes_no("Partner")),
        Column(
            "dependents",
            "boolean",
            # Dependents live with partners (51 % of them, 10 % of the others) and seldom with
            # seniors (8 % of them).
            gen.choice_by_columns(
                ("partner", "senior_citizen"),
                {
                    (True, False): ((True, False), (58.4, 41.6)),
                    (False, False): ((True, False), (11.5, 88.5)),
                    (True, True): ((True, False), (14, 86)),
                    (False, True): ((True, False), (2, 98)),
                },
            ),
            nullable=False,
            csv=_yes_no("Dependents"),
        ),
        Column(
            "tenure",
            "integer",
            services.tenure,
            nullable=False,
            description="months with the company, 0-72",
            csv=CsvColumn(required=True),
        ),
        Column(
            "phone_service", "boolean", _flag(0.903), nullable=False, csv=_yes_no("PhoneService")
        ),
        Column(
            "multiple_lines",
            "text",
            services.multiple_lines(),
            nullable=False,
            description="Yes, No or 'No phone service'",
            csv=CsvColumn(aliases=("MultipleLines",)),
        ),
        Column(
            "internet_service",
            "text",
            services.internet_service(),
            nullable=False,
            description="DSL, Fiber optic or No",
            csv=CsvColumn(aliases=("InternetService",)),
        ),
        Column(
            "online_security",
            "text",
            services.add_on(0.48, 0.27),
            nullable=False,
            csv=CsvColumn(aliases=("OnlineSecurity",)),
        ),
        Column(
            "online_backup",
            "text",
            services.add_on(0.44, 0.44),
            nullable=False,
            csv=CsvColumn(aliases=("OnlineBackup",)),
        ),
        Column(
            "device_protection",
            "text",
            services.add_on(0.39, 0.47),
            nullable=False,
            csv=CsvColumn(aliases=("DeviceProtection",)),
        ),
        Column(
            "tech_support",
            "text",
            services.add_on(0.48, 0.28),
            nullable=False,
            csv=CsvColumn(aliases=("TechSupport",)),
        ),
        Column(
            "streaming_tv",
            "text",
            services.add_on(0.415, 0.55),
            nullable=False,
            csv=CsvColumn(aliases=("StreamingTV",)),
        ),
        Column(
            "streaming_movies",
            "text",
            services.add_on(0.42, 0.555),
            nullable=False,
            csv=CsvColumn(aliases=("StreamingMovies",)),
        ),
        Column(
            "contract",
            "text",
            account.contract,
            nullable=False,
            description="Month-to-month, One year or Two year",
            csv=CsvColumn(aliases=("Contract",)),
        ),
        Column(
            "paperless_billing",
            "boolean",
            gen.choice_by(
                "internet_service",
                {
                    "Fiber optic": ((True, False), (77, 23)),
                    "DSL": ((True, False), (54, 46)),
                    "No": ((True, False), (29, 71)),
                },
            ),
            nullable=False,
            csv=_yes_no("PaperlessBilling"),
        ),
        Column(
            "payment_method",
            "text",
            account.payment_method,
            nullable=False,
            csv=CsvColumn(aliases=("PaymentMethod",)),
        ),
        Column(
            "monthly_charges",
            "decimal",
            services.monthly_charges,
            nullable=False,
            description="USD per month, 18.25-118.75",
            csv=CsvColumn(aliases=("MonthlyCharges",), required=True),
        ),
        Column(
            "total_charges",
            "decimal",
            services.total_charges,
            description="USD to date; NULL for customers in their first month (tenure 0)",
            csv=CsvColumn(aliases=("TotalCharges",), sentinels=("", " ")),
        ),
        Column(
            "churn",
            "boolean",
            account.churn,
            nullable=False,
            description="left within the last month",
            csv=_yes_no("Churn"),
        ),
    ),
)
