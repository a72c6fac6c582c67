import type { CampaignContent } from '#db/types'

export interface DemoCampaign {
  slug: string
  status: 'live' | 'closed'
  signatureGoal: number
  closesAt: string | null
  confirmedSignatures: number
  content: { en: CampaignContent; ru: CampaignContent }
  /** Donation settings; unset fields use the organisation's. Presets are in minor units. */
  donations?: { currency?: string; presets?: number[]; showTotals: boolean; demoGifts?: number[] }
  /** What the public timeline shows: all dated relative to now, in days. */
  followUps?: DemoFollowUps
}

type Translated<T> = { en: T; ru: T }

export interface DemoFollowUps {
  /** Milestones; those at or below the seeded count are recorded as crossed `daysAgo`. */
  milestones: { threshold: number; daysAgo: number; description: Translated<string> }[]
  /** Updates already sent to signers (markdown bodies). */
  updates: { daysAgo: number; content: Translated<{ subject: string; body: string }> }[]
  deliveries: { daysAgo: number; recipient: string; method: 'in_person' | 'email' | 'post' | 'online' | 'other' }[]
  /** The authority's answer, in its own words. */
  responses: { daysAgo: number; body: string; sourceUrl: string | null }[]
}

export const demoOrganisation: {
  slug: string
  name: string
  privacyUrl: string | null
  donationCurrency: string
  donationPresets: number[]
} = {
  slug: 'rights-watchers',
  name: 'Rights Watchers Network',
  privacyUrl: null,
  donationCurrency: 'EUR',
  donationPresets: [500, 1000, 2500, 5000],
}

export const demoCampaigns: DemoCampaign[] = [
  {
    slug: 'chechnya-investigate-now',
    status: 'live',
    signatureGoal: 10000,
    closesAt: null,
    confirmedSignatures: 137,
    // Paid one-off gifts (minor units), so the demo shows a total raised.
    donations: { presets: [1000, 2500, 5000, 10000], showTotals: true, demoGifts: [2500, 1000, 5000, 2500, 10000, 1000, 2500, 5000] },
    followUps: {
      milestones: [
        {
          threshold: 100,
          daysAgo: 2,
          description: {
            en: 'The first hundred voices: thank you for standing with the men who were hunted down.',
            ru: 'Первые сто голосов: спасибо, что вы поддерживаете тех, на кого велась охота.',
          },
        },
        {
          threshold: 1000,
          daysAgo: 0,
          description: {
            en: 'A thousand signatures: we will ask for a meeting at the Prosecutor General’s Office.',
            ru: 'Тысяча подписей: мы попросим о встрече в Генеральной прокуратуре.',
          },
        },
      ],
      updates: [
        {
          daysAgo: 1,
          content: {
            en: {
              subject: 'Why an investigation still matters',
              body: [
                'Thank you for adding your name. Years after a Russian newspaper first revealed the abductions, secret detention, torture and killing of men believed to be gay in Chechnya, **no one has been held to account**.',
                '',
                'Human rights defenders, not the state, helped survivors reach safety and gathered their testimonies. Only the authorities can open a criminal investigation. Please share the petition with one more person today.',
              ].join('\n'),
            },
            ru: {
              subject: 'Почему расследование всё ещё важно',
              body: [
                'Спасибо, что подписали петицию. Прошли годы с тех пор, как российская газета рассказала о похищениях, тайном содержании под стражей, пытках и убийствах мужчин в Чечне, которых считали геями, — и **никто не понёс ответственности**.',
                '',
                'Выжившим помогали правозащитники, а не государство: они вывозили людей в безопасное место и собирали свидетельства. Возбудить уголовное дело могут только власти. Пожалуйста, расскажите о петиции ещё одному человеку сегодня.',
              ].join('\n'),
            },
          },
        },
      ],
      deliveries: [],
      responses: [],
    },
    content: {
      en: {
        title: "Chechnya: investigate the 'gay purge' now",
        summary:
          "Dozens of men were abducted, tortured and killed in Chechnya's 'gay purge'. Call on the Russian authorities to finally investigate and bring those responsible to justice.",
        story: [
          "In April 2017, the Russian newspaper Novaya Gazeta exposed a 'gay purge' in Chechnya: dozens of men were abducted, tortured and killed. A year later, not a single person had been held to account for these crimes.",
          '',
          '## Denial instead of justice',
          '',
          'Instead of acting, the Russian authorities mocked and brushed aside the reports. They repeatedly refused to open an official investigation and ignored credible evidence gathered by Novaya Gazeta and others.',
          '',
          "Protecting those who were targeted fell to Russia's human rights community. Thanks to the work of human rights defenders, including the Russian LGBT Network:",
          '',
          '- 116 people were safely relocated from Chechnya',
          '- 98 of them left Russia',
          '',
          'But only the state can open a criminal investigation and prosecute those responsible. Add your name to call on the Russian authorities to do so without delay, and to keep LGBTI people safe in Chechnya and across Russia.',
        ].join('\n'),
        target_name: 'Prosecutor General of the Russian Federation',
        target_role: "Head of the Prosecutor General's Office of the Russian Federation",
        demand:
          'Promptly and effectively investigate the reported abduction, secret detention, torture and killing of men believed to be gay in the Chechen Republic. Act immediately to keep LGBTI people safe in the region and elsewhere in Russia.',
      },
      ru: {
        title: 'Чечня: расследуйте «гей-чистку» сейчас',
        summary:
          'В ходе «гей-чистки» в Чечне десятки мужчин были похищены, подвергнуты пыткам и убиты. Призовите российские власти наконец провести расследование и привлечь виновных к ответственности.',
        story: [
          'В апреле 2017 года «Новая газета» рассказала о «гей-чистке» в Чечне: десятки мужчин были похищены, подвергнуты пыткам и убиты. Спустя год ни один человек так и не понёс ответственности за эти преступления.',
          '',
          '## Отрицание вместо правосудия',
          '',
          'Вместо того чтобы действовать, российские власти высмеяли эти сообщения и отмахнулись от них. Они раз за разом отказывались начать официальное расследование и игнорировали убедительные доказательства, собранные «Новой газетой» и другими.',
          '',
          'Защищать пострадавших пришлось российскому правозащитному сообществу. Благодаря работе правозащитников, в том числе Российской ЛГБТ-сети:',
          '',
          '- 116 человек были благополучно вывезены из Чечни;',
          '- 98 из них покинули Россию.',
          '',
          'Но возбудить уголовное дело и добиться наказания виновных может только государство. Поставьте свою подпись, чтобы призвать российские власти сделать это без промедления и обеспечить безопасность ЛГБТИ-людей в Чечне и по всей России.',
        ].join('\n'),
        target_name: 'Генеральный прокурор Российской Федерации',
        target_role: 'Руководитель Генеральной прокуратуры Российской Федерации',
        demand:
          'Оперативно и эффективно расследуйте сообщения о похищениях, тайном содержании под стражей, пытках и убийствах мужчин, которых считают геями, в Чеченской Республике. Безотлагательно примите меры, чтобы обеспечить безопасность ЛГБТИ-людей в регионе и в других частях России.',
      },
    },
  },
  {
    slug: 'free-the-defender',
    status: 'live',
    signatureGoal: 5000,
    closesAt: '2027-06-30T23:59:59Z',
    confirmedSignatures: 42,
    content: {
      en: {
        title: 'Free the detained human rights defender',
        summary:
          'A human rights defender is in detention for peacefully documenting abuses. Call on the Minister of Justice to order their immediate and unconditional release.',
        story: [
          '> This is a demonstration campaign. The person and the situation described here are fictional.',
          '',
          'Human rights defenders document abuses, support victims and speak up when others cannot. Defending human rights is not a crime.',
          '',
          'In this fictional example, a human rights defender has been detained solely for their peaceful work. While they remain in detention, they must be protected from ill-treatment and have access to a lawyer and to their family.',
          '',
          '## What we are asking for',
          '',
          '- Immediate and unconditional release',
          '- Access to a lawyer of their choice and to their family',
          '- An end to the harassment of human rights defenders',
          '',
          'Add your name and show the authorities that the world is watching.',
        ].join('\n'),
        target_name: 'Minister of Justice',
        target_role: 'Head of the Ministry of Justice',
        demand:
          'Order the immediate and unconditional release of the detained human rights defender, and ensure that no one is punished for peacefully defending human rights.',
      },
      ru: {
        title: 'Свободу задержанному правозащитнику',
        summary:
          'Правозащитник находится под стражей за мирную работу по документированию нарушений. Призовите министра юстиции добиться его немедленного и безоговорочного освобождения.',
        story: [
          '> Это демонстрационная кампания. Описанные здесь человек и ситуация вымышлены.',
          '',
          'Правозащитники документируют нарушения, поддерживают пострадавших и говорят вслух о том, о чём другие сказать не могут. Защита прав человека — не преступление.',
          '',
          'В этом вымышленном примере правозащитник задержан исключительно за свою мирную деятельность. Пока он остаётся под стражей, его необходимо защитить от жестокого обращения и обеспечить ему доступ к адвокату и возможность видеться с родными.',
          '',
          '## Чего мы требуем',
          '',
          '- Немедленного и безоговорочного освобождения',
          '- Доступа к адвокату по его выбору и к родным',
          '- Прекращения преследования правозащитников',
          '',
          'Поставьте свою подпись и покажите властям, что мир следит за происходящим.',
        ].join('\n'),
        target_name: 'Министр юстиции',
        target_role: 'Руководитель Министерства юстиции',
        demand:
          'Распорядитесь немедленно и безоговорочно освободить задержанного правозащитника и гарантируйте, что никого не будут наказывать за мирную правозащитную деятельность.',
      },
    },
  },
  {
    slug: 'protect-peaceful-protest',
    status: 'closed',
    signatureGoal: 1000,
    closesAt: '2026-06-30T23:59:59Z',
    confirmedSignatures: 1250,
    // A fictional city, so its delivery and response are fictional too.
    followUps: {
      milestones: [
        {
          threshold: 1000,
          daysAgo: 160,
          description: { en: 'We reached our goal of 1,000 signatures.', ru: 'Мы собрали 1000 подписей — нашу цель.' },
        },
      ],
      updates: [
        {
          daysAgo: 150,
          content: {
            en: {
              subject: 'We handed in your signatures',
              body: 'Three of us carried **1,250 signatures** to City Hall this morning and asked the mayor to drop the plans. We will tell you as soon as there is an answer.',
            },
            ru: {
              subject: 'Мы передали ваши подписи',
              body: 'Сегодня утром трое из нас принесли в мэрию **1250 подписей** и попросили мэра отказаться от этих планов. Мы сообщим вам, как только получим ответ.',
            },
          },
        },
      ],
      deliveries: [{ daysAgo: 150, recipient: 'Office of the Mayor of the City', method: 'in_person' }],
      responses: [
        {
          daysAgo: 140,
          body: 'The city administration has decided not to proceed with the proposed restrictions on assemblies in the city centre and will consult residents before any new rules are drafted.',
          sourceUrl: 'https://example.org/city-hall/press/assemblies',
        },
      ],
    },
    content: {
      en: {
        title: 'Protect the right to peaceful protest',
        summary:
          'Everyone has the right to gather peacefully and make their voice heard. Call on the mayor to drop plans to restrict peaceful assemblies in the city centre.',
        story: [
          '> This is a demonstration campaign. The city and the plans described here are fictional.',
          '',
          'Peaceful assembly is a human right. People must be able to come together, express their views and call for change without fear.',
          '',
          'In this fictional example, the city authorities proposed rules that would have effectively banned protests in the city centre and required organisers to seek permission weeks in advance.',
          '',
          '## Our demands',
          '',
          '- Withdraw the proposed restrictions',
          '- Make sure peaceful protesters are protected, not punished',
          '- Consult civil society before adopting any new rules',
          '',
          'Thank you to everyone who signed. This campaign is now closed.',
        ].join('\n'),
        target_name: 'Mayor of the City',
        target_role: 'Head of the city administration',
        demand: 'Withdraw the proposed restrictions on peaceful assembly and guarantee that everyone can protest peacefully without fear of punishment.',
      },
      ru: {
        title: 'Защитите право на мирный протест',
        summary: 'Каждый имеет право мирно собираться и быть услышанным. Призовите мэра отказаться от планов ограничить мирные собрания в центре города.',
        story: [
          '> Это демонстрационная кампания. Описанные здесь город и планы вымышлены.',
          '',
          'Свобода мирных собраний — одно из прав человека. Люди должны иметь возможность собираться вместе, высказывать своё мнение и добиваться перемен, не опасаясь последствий.',
          '',
          'В этом вымышленном примере городские власти предложили правила, которые фактически запретили бы протесты в центре города и обязали бы организаторов получать разрешение за несколько недель.',
          '',
          '## Наши требования',
          '',
          '- Отозвать предложенные ограничения',
          '- Защищать мирных протестующих, а не наказывать их',
          '- Проводить консультации с гражданским обществом до принятия любых новых правил',
          '',
          'Спасибо всем, кто подписал петицию. Кампания завершена.',
        ].join('\n'),
        target_name: 'Мэр города',
        target_role: 'Глава городской администрации',
        demand: 'Отзовите предложенные ограничения на мирные собрания и гарантируйте, что каждый сможет мирно протестовать, не опасаясь наказания.',
      },
    },
  },
]

export const demoSignerFirstNames: string[] = [
  'Amara',
  'Liam',
  'Sofia',
  'Mateo',
  'Aisha',
  'Noah',
  'Yuki',
  'Chen',
  'Priya',
  'Arjun',
  'Fatima',
  'Omar',
  'Ingrid',
  'Lars',
  'Chloé',
  'Julien',
  'Lucía',
  'Diego',
  'Zanele',
  'Kwame',
  'Nadia',
  'Tomasz',
  'Ewa',
  'Giulia',
  'Marco',
  'Hannah',
  'Felix',
  'Leila',
  'Dara',
  'Siobhán',
  'Mei',
  'Kofi',
  'Elif',
  'Emre',
  'Ana',
  'João',
  'Анна',
  'Дмитрий',
  'Ольга',
  'Сергей',
  'Мария',
  'Алексей',
]

export const demoSignerCountries: string[] = [
  'GB',
  'GB',
  'GB',
  'DE',
  'DE',
  'DE',
  'US',
  'US',
  'FR',
  'FR',
  'RU',
  'RU',
  'NL',
  'ES',
  'IT',
  'PL',
  'SE',
  'IE',
  'CA',
  'AU',
  'GE',
  'UA',
  'BR',
  'ZA',
  'IN',
]
