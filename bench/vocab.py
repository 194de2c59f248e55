"""Word lists for the synthetic archive.

Names, places and phrasing are taken from the kind of documents the real archive holds (the
seeds in raw/), so that titles, summaries and dates exercise the same parsing and matching rules
real pages do: "Cde." honorifics, "[Stalin]" glosses, telegram numbers, month-only dates.
Kept apart from the generator so the generator reads as logic, not as data.
"""

from __future__ import annotations

# (full name as printed, short name used in summaries, first year, last year, is_person)
PEOPLE: list[tuple[str, str, int, int, bool]] = [
    ("Filippov [Stalin]", "Stalin", 1934, 1953, True),
    ("Mao Zedong", "Mao", 1935, 1976, True),
    ("Zhou Enlai", "Zhou Enlai", 1937, 1976, True),
    ("Liu Shaoqi", "Liu Shaoqi", 1945, 1966, True),
    ("Kovalev", "Kovalev", 1945, 1952, True),
    ("Gromyko", "Gromyko", 1943, 1985, True),
    ("Molotov", "Molotov", 1934, 1957, True),
    ("Vyshinsky", "Vyshinsky", 1940, 1954, True),
    ("Voroshilov", "Voroshilov", 1934, 1960, True),
    ("Kim Il Sung", "Kim Il Sung", 1945, 1991, True),
    ("Shtykov", "Shtykov", 1945, 1951, True),
    ("Roshchin", "Roshchin", 1948, 1953, True),
    ("Krasovsky", "Krasovsky", 1950, 1953, True),
    ("Razuvaev", "Razuvaev", 1950, 1953, True),
    ("Peng Dehuai", "Peng Dehuai", 1945, 1959, True),
    ("Sheng Shicai", "Sheng Shicai", 1934, 1944, True),
    ("G. Apresov", "Apresov", 1934, 1941, True),
    ("Karsky", "Karsky", 1944, 1950, True),
    ("Miklashevsky", "Miklashevsky", 1944, 1950, True),
    ("Savel'yev", "Savel'yev", 1945, 1950, True),
    ("G.M. Malenkov", "Malenkov", 1940, 1957, True),
    ("N.S. Khrushchev", "Khrushchev", 1953, 1964, True),
    ("A.I. Mikoyan", "Mikoyan", 1940, 1970, True),
    ("Deng Xiaoping", "Deng Xiaoping", 1950, 1991, True),
    ("Ho Chi Minh", "Ho Chi Minh", 1945, 1969, True),
    ("Pham Van Dong", "Pham Van Dong", 1954, 1986, True),
    ("Walter Ulbricht", "Ulbricht", 1945, 1971, True),
    ("Erich Honecker", "Honecker", 1971, 1989, True),
    ("L.I. Brezhnev", "Brezhnev", 1964, 1982, True),
    ("Yuri Andropov", "Andropov", 1967, 1984, True),
    ("Mikhail Gorbachev", "Gorbachev", 1985, 1991, True),
    ("Eduard Shevardnadze", "Shevardnadze", 1985, 1991, True),
    ("Fidel Castro", "Castro", 1959, 1991, True),
    ("Ernesto Che Guevara", "Guevara", 1959, 1967, True),
    ("Janos Kadar", "Kadar", 1956, 1988, True),
    ("Wladyslaw Gomulka", "Gomulka", 1945, 1970, True),
    ("Wojciech Jaruzelski", "Jaruzelski", 1981, 1991, True),
    ("Nicolae Ceausescu", "Ceausescu", 1965, 1989, True),
    ("Todor Zhivkov", "Zhivkov", 1954, 1989, True),
    ("Enver Hoxha", "Hoxha", 1945, 1985, True),
    ("Josip Broz Tito", "Tito", 1945, 1980, True),
    ("Chiang Kai-shek", "Chiang Kai-shek", 1934, 1975, True),
    ("Harry S. Truman", "Truman", 1945, 1953, True),
    ("Pak Hon-yong", "Pak Hon-yong", 1945, 1953, True),
    ("Jiang Qing", "Jiang Qing", 1945, 1976, True),
    ("Lin Biao", "Lin Biao", 1949, 1971, True),
    ("Zhu De", "Zhu De", 1945, 1976, True),
    ("Kang Sheng", "Kang Sheng", 1945, 1975, True),
    ("Yudin", "Yudin", 1953, 1959, True),
    ("Chervonenko", "Chervonenko", 1959, 1965, True),
    ("Puzanov", "Puzanov", 1957, 1962, True),
    ("Kim Jong Il", "Kim Jong Il", 1980, 1991, True),
    ("Henry Kissinger", "Kissinger", 1969, 1977, True),
    ("Zbigniew Brzezinski", "Brzezinski", 1977, 1981, True),
    ("Soviet Ambassador in the United States", "the ambassador", 1934, 1991, False),
    ("the Soviet Ambassador, Pyongyang", "the ambassador", 1948, 1991, False),
    ("Chinese Ministry of Foreign Affairs", "the Ministry", 1949, 1991, False),
    ("CPSU Central Committee", "the Central Committee", 1952, 1991, False),
    ("CCP Central Committee", "the Central Committee", 1945, 1991, False),
    ("Hungarian Embassy in Pyongyang", "the embassy", 1954, 1991, False),
    ("East German Embassy in Beijing", "the embassy", 1950, 1990, False),
    ("Polish Embassy in Hanoi", "the embassy", 1954, 1991, False),
    ("Romanian Embassy in Moscow", "the embassy", 1946, 1991, False),
]

CITIES = [
    "Beijing", "Moscow", "Pyongyang", "Urumchi", "Hanoi", "Berlin", "Warsaw", "Prague",
    "Budapest", "Havana", "Tirana", "Belgrade", "Bucharest", "Sofia", "Ulaanbaatar", "Shanghai",
    "Harbin", "Lanzhou", "Dalian", "Port Arthur", "Hami", "Yanqi", "Turpan", "Kashgar",
]  # fmt: skip

REGIONS = [
    "Xinjiang", "Manchuria", "Korea", "Taiwan", "Tibet", "Indochina", "the Far East",
    "Mongolia", "Hokkaido", "the Kurile Islands", "Eastern Europe", "Cuba", "Laos", "Cambodia",
]  # fmt: skip

TOPICS = [
    "the armistice negotiations in Korea",
    "shipments of fuel, troops, and aircraft to Urumchi",
    "the arrival of the PLA in Xinjiang",
    "the establishment of diplomatic relations",
    "economic aid and the supply of grain",
    "the exchange of prisoners of war",
    "the construction of the railway to Lanzhou",
    "the situation on the front line",
    "the demarcation line at the 38th parallel",
    "the training of military advisers",
    "anti-epidemiological assistance",
    "the purchase of industrial equipment",
    "the treaty of friendship, alliance, and mutual assistance",
    "the repatriation of Soviet citizens",
    "the deployment of air force divisions",
    "the nuclear test ban negotiations",
    "the border dispute along the Ussuri River",
    "the events in Hungary",
    "the reforms of perestroika",
    "the meeting of the Warsaw Pact",
    "the visit of a government delegation to Moscow",
    "radio contact with the East Turkestan Republic",
    "the delivery of 10,000 tons of wheat",
    "the supply of weapons for six divisions",
    "the work of Soviet specialists",
    "the harvest and food shortages",
    "the activities of Kuomintang agents",
    "the purge of unreliable elements",
    "the status of the Chinese Changchun Railway",
    "the withdrawal of Soviet troops",
]

VERBS = [
    "informs", "requests", "reports to", "asks", "agrees with", "proposes to", "briefs",
    "warns", "thanks", "writes to", "instructs", "replies to", "congratulates", "updates",
]  # fmt: skip

TRANSLATORS = [
    "Gary Goldberg", "Sergey Radchenko", "David Wolff", "Charles Kraus", "Kathryn Weathersby",
    "Jamil Hasanli", "Austin Jersild", "Chen Jian", "Vladislav Zubok", "Mark H. Doctoroff",
    "Svetlana Savranskaya", "Balazs Szalontai", "James Person", "Christian F. Ostermann",
]  # fmt: skip

FUNDERS = [
    "Blavatnik Family Foundation", "Henry Luce Foundation", "Carnegie Corporation of New York",
    "MacArthur Foundation", "Korea Foundation", "Leon Levy Foundation",
    "Smith Richardson Foundation", "Chun & Jane Kim Foundation",
]  # fmt: skip

CLASSIFICATIONS = [
    "Top Secret", "Secret", "Confidential", "Strictly Secret", "Top Secret, Special Dossier",
    "Unclassified", "For Official Use Only",
]  # fmt: skip

THEMES = [
    "Sino-Soviet Relations", "Korean War", "Cuban Missile Crisis", "Soviet Foreign Policy",
    "Cold War in Asia", "Nuclear History", "Warsaw Pact", "Sino-Vietnamese Relations",
    "North Korean Nuclear History", "Chinese Foreign Policy", "Hungarian Revolution",
    "Prague Spring", "Berlin Crisis", "Polish Crisis", "Détente", "Soviet Invasion of Afghanistan",
    "End of the Cold War", "Indochina Wars", "Inter-Korean Relations", "Mongolian History",
]  # fmt: skip

KEYWORDS = [
    "Xinjiang", "Stalin", "Mao Zedong", "Korea", "armistice", "telegram", "Kovalev",
    "Kim Il Sung", "Zhou Enlai", "railway", "grain", "aviation", "advisers", "treaty",
    "Molotov", "Urumchi", "Manchuria", "prisoners of war", "nuclear", "Hungary", "Cuba",
    "Gorbachev", "border", "Taiwan", "Vietnam", "Albania", "Mongolia", "Tibet", "embassy",
]  # fmt: skip

ARCHIVE_CITES = [
    "RGASPI, f. 558, op. 11, d. {a}, ll. {b}-{c}.",
    "APRF, f. 45, op. 1, d. {a}, l. {b}.",
    "AVPRF, f. 0100, op. {c}, d. {a}, ll. {b}-{c}.",
    "PRC FMA {a}-0{b}-0{c}, {b}-{c}.",
    "SAPMO-BArch, DY 30/{a}.",
    "Hungarian National Archives (MOL), XIX-J-1-j Korea, {c}. doboz, {a}/{b}.",
    "Archive of the Ministry of Foreign Affairs of Romania, folder {a}, pp. {b}-{c}.",
]

RIGHTS = [
    "The History and Public Policy Program welcomes reuse of Digital Archive materials for "
    "research and educational purposes. Some documents may be subject to copyright, which is "
    "retained by the rights holders in accordance with US and international copyright laws. "
    "When possible, rights holders have been contacted for permission to reproduce their "
    "materials.",
    "To enquire about this document's rights status or request permission for commercial use, "
    "please contact the History and Public Policy Program at [email protected].",
]

# Body sentence shapes; slots: {A} {B} {city} {city2} {region} {topic} {n} {d} {month} {year}
BODY_SENTENCES = [
    "On {d} {month} our army launched activity along the {city}-{city2} line.",
    "I am reporting to you the letter of Cde. {A} and the report attached to it.",
    "The popular masses of {city} demand that the matter of {topic} be settled without delay.",
    "The delegation arrived in {city} on {d} {month} {year} and was received by Cde. {B}.",
    "{n} tons of cargo were dispatched from {city} to {city2} during the last month.",
    "We consider it necessary to inform you about {topic}.",
    "Cde. {B} stated that the government of {region} fully supports this proposal.",
    "In the course of the discussion the question of {topic} was raised.",
    "The units of the {nth} Regiment remain in {city} as before.",
    "Please convey to Cde. {A} that we agree with his views on {topic}.",
    "It has been shown that this was no coincidence, and that the acts were planned in advance.",
    "We request that you send {n} specialists to {city2} by the end of the year.",
    "The situation in {region} remains complex, but we are confident of a favourable outcome.",
    "Cde. {A} expressed gratitude for the assistance rendered by the Soviet Union.",
    "The conversation lasted {n} minutes and took place in a friendly atmosphere.",
    "Copy Nº {n} to Cde. {B}.",
    "According to our information, the other side intends to raise the question of {topic}.",
    "We ask you to give instructions concerning {topic} as soon as possible.",
]
