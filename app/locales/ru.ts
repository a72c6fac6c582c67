import type { MessageKey } from './en'
import { adminAccessRu } from './admin-access-ru'
import { adminCampaignsRu } from './admin-campaigns-ru'
import { adminInsightsRu } from './admin-insights-ru'
import { donationsRu } from './donations-ru'
import { emailsRu } from './emails-ru'
import { updatesRu } from './updates-ru'
import { deliverabilityRu } from './deliverability-ru'
import { timelineRu } from './timeline-ru'
import { deliveryRu } from './delivery-ru'
import { osdiRu } from './osdi-ru'
import { reachRu } from './reach-ru'
import { myDataRu } from './my-data-ru'
import { retentionRu } from './retention-ru'
import { integrityRu } from './integrity-ru'
import { noticeRu } from './notice-ru'

// Russian plural forms: #one (1, 21, 101…), #few (2–4, 22–24…), #many (0, 5–20, 25…), #other (fractions).
export const ru: Record<MessageKey, string> & Record<string, string> = {
  ...emailsRu,
  ...donationsRu,
  ...adminAccessRu,
  ...noticeRu,
  ...adminCampaignsRu,
  ...adminInsightsRu,
  ...updatesRu,
  ...deliverabilityRu,
  ...timelineRu,
  ...deliveryRu,
  ...osdiRu,
  ...reachRu,
  ...myDataRu,
  ...retentionRu,
  ...integrityRu,
  'site.name': 'Chorus',
  'nav.skip': 'Перейти к основному содержанию',
  'nav.language': 'Язык',
  'footer.about': 'Chorus — открытая платформа для петиций в защиту прав человека.',
  'footer.privacy': 'Политика конфиденциальности',

  'home.title': 'Добавьте свой голос',
  'home.lede': 'Подпишите петицию, подтвердите подпись по электронной почте — и ваш голос будет учтён, когда подписи передадут адресату.',
  'home.empty': 'Сейчас нет открытых петиций.',
  'home.noMore': 'Больше открытых петиций нет.',
  'home.pages': 'Другие петиции',
  'home.newer': 'Более новые петиции',
  'home.older': 'Более ранние петиции',

  'campaign.calledOn': 'Адресат: {target}',
  'campaign.count': '{count} человек подписали',
  'campaign.count#one': '{count} человек подписал',
  'campaign.count#few': '{count} человека подписали',
  'campaign.count#many': '{count} человек подписали',
  'campaign.count#other': '{count} человека подписали',
  'campaign.goal': 'Цель: {goal}',
  'campaign.demandHeading': 'Мы призываем',
  'campaign.storyHeading': 'Почему это важно',
  'campaign.signPanel': 'Подпишите эту петицию',
  'campaign.notOpenHeading': 'Эта петиция ещё не открыта',
  'campaign.notOpen': 'Сбор подписей начнётся {date}.',
  'campaign.closedHeading': 'Эта петиция закрыта',
  'campaign.closed': 'Сбор подписей под этой петицией завершён.',
  'campaign.finalCount': 'Итог: {count} подписей.',
  'campaign.finalCount#one': 'Итог: {count} подпись.',
  'campaign.finalCount#few': 'Итог: {count} подписи.',
  'campaign.finalCount#many': 'Итог: {count} подписей.',
  'campaign.finalCount#other': 'Итог: {count} подписи.',
  'campaign.countriesHeading': 'Откуда подписавшие',
  'campaign.country': 'Страна',
  'campaign.signatures': 'Подписи',
  'campaign.recentHeading': 'Недавно подписали',
  'campaign.recentSigner': '{name}, {country}',

  'sign.heading': 'Подпишите петицию',
  'sign.errorSummary': 'Проверьте форму',
  'sign.fullName': 'Полное имя',
  'sign.email': 'Адрес электронной почты',
  'sign.emailHint': 'Мы отправим вам ссылку для подтверждения подписи.',
  'sign.country': 'Страна',
  'sign.countryChoose': 'Выберите страну',
  'sign.postcode': 'Почтовый индекс',
  'sign.optional': '(необязательно)',
  'sign.consentUpdates': 'Сообщайте мне новости об этой кампании',
  'sign.consentShowName':
    'Показывать на этой странице моё имя (без фамилии) и страну, включить мои имя, фамилию и страну в список подписей, который передаётся адресатам петиции, и передавать моё имя системам организации, перечисленным в её политике конфиденциальности (например, её CRM)',
  'sign.honeypot': 'Оставьте это поле пустым',
  'sign.privacy': '{organisation} использует ваши данные только для этой петиции и — если вы об этом попросите — чтобы сообщать вам новости о ней.',
  'sign.privacyLink': 'Прочитать политику конфиденциальности',
  'sign.submit': 'Подписать петицию',
  'sign.error.nameRequired': 'Введите полное имя',
  'sign.error.nameTooLong': 'Имя должно быть не длиннее 100 символов',
  'sign.error.nameUrl': 'Имя не может содержать веб-адрес',
  'sign.error.nameFormula': 'Имя не может начинаться с символов =, +, - или @',
  'sign.error.nameInvalid': 'Имя содержит недопустимые символы',
  'sign.error.emailRequired': 'Введите адрес электронной почты',
  'sign.error.emailTooLong': 'Адрес электронной почты должен быть не длиннее 254 символов',
  'sign.error.emailInvalid': 'Введите адрес электронной почты в формате name@example.com',
  'sign.error.countryRequired': 'Выберите страну из списка',
  'sign.error.postcodeTooLong': 'Почтовый индекс должен быть не длиннее 16 символов',
  'sign.error.postcodeInvalid': 'Почтовый индекс может содержать только буквы, цифры, пробелы и дефисы',
  'sign.error.rateLimited':
    'С вашего подключения за короткое время поступило слишком много подписей. Пожалуйста, подождите немного и попробуйте снова — введённые данные сохранены.',
  'sign.error.closed': 'Эта петиция закрыта, подписи больше не принимаются.',

  'check.title': 'Проверьте почту',
  'check.sent': 'Мы отправили вам письмо, чтобы вы подтвердили подпись под петицией',
  'check.click': 'Откройте его и нажмите на кнопку подтверждения. Подпись будет учтена только после того, как вы её подтвердите.',
  'check.noEmailHeading': 'Письмо не пришло?',
  'check.spam': 'Проверьте папку «Спам» или «Нежелательная почта».',
  'check.wait': 'Письмо может прийти через несколько минут.',
  'check.again': 'Если письма всё ещё нет, подпишите петицию ещё раз с тем же адресом — мы пришлём новую ссылку.',
  'check.back': 'Вернуться к петиции',

  'confirm.title': 'Подтвердите свою подпись',
  'confirm.intro': 'Нажмите на кнопку, чтобы подтвердить свою подпись под этой петицией.',
  'confirm.button': 'Подтвердить мою подпись',
  'confirm.why':
    'Мы просим нажать на кнопку, потому что некоторые системы защиты почты открывают ссылки автоматически, а подтвердить подпись должны только вы.',
  'confirm.invalidTitle': 'Эта ссылка не работает',
  'confirm.invalidBody':
    'Ссылка уже использована, заменена ссылкой из более нового письма или скопирована не полностью. Если вы уже подтвердили подпись, она учтена. Если нет, подпишите петицию ещё раз, чтобы получить новую ссылку.',
  'confirm.closedTitle': 'Эта петиция закрыта',
  'confirm.closedBody': 'Петиция закрылась до того, как вы подтвердили подпись, поэтому её не удалось добавить.',

  'thanks.title': 'Спасибо за вашу подпись',
  'thanks.confirmed': 'Подтверждена ваша подпись под петицией',
  'thanks.countNote': 'Счётчик обновится в течение нескольких секунд.',
  'thanks.back': 'Вернуться к петиции',

  'share.heading': 'Поделитесь этой петицией',
  'share.newWindow': '(откроется в новой вкладке)',
  'share.email': 'Эл. почта',
  'share.whatsapp': 'WhatsApp',
  'share.telegram': 'Telegram',
  'share.x': 'X',
  'share.facebook': 'Facebook',
  'share.vk': 'ВКонтакте',

  'error.notFound.title': 'Страница не найдена',
  'error.notFound.body': 'Страница, которую вы ищете, не существует или больше недоступна.',
  'error.generic.title': 'Что-то пошло не так',
  'error.generic.body': 'Пожалуйста, повторите попытку чуть позже.',
  'error.home': 'Перейти на главную страницу',

  'mailbox.title': 'Почтовый ящик для разработки',
  'mailbox.lede': 'Письма, которые отправило бы приложение, — сначала новые. Эта страница видна только на этом компьютере.',
  'mailbox.filter': 'Получатель',
  'mailbox.show': 'Показать',
  'mailbox.empty': 'Писем пока нет.',
  'mailbox.to': 'Кому',
  'mailbox.sent': 'Отправлено',
  'mailbox.template': 'Шаблон',

  'privacy.title': 'Политика конфиденциальности',
  'privacy.lede': 'Подпись под петицией может подвергнуть человека риску. Мы собираем как можно меньше данных и защищаем то, что храним.',
  'privacy.collectHeading': 'Какие данные мы собираем',
  'privacy.collect':
    'Ваше имя, адрес электронной почты, страну и — если вы его укажете — почтовый индекс, а также выбор, который вы сделали в форме. Чтобы предотвращать злоупотребления, мы храним хеш вашего IP-адреса, вычисленный с секретным ключом, но никогда не сам адрес.',
  'privacy.useHeading': 'Как мы их используем',
  'privacy.use':
    'Чтобы подтвердить и учесть вашу подпись, передать петицию адресату и — только если вы отметили соответствующий пункт — сообщать вам по электронной почте новости о кампании.',
  'privacy.publicHeading': 'Что видно всем',
  'privacy.public':
    'Только общее число подписей и их число по странам, а также ваше имя (без фамилии) и страна, если вы согласились их показывать; в этом случае ваши имя, фамилия и страна входят и в список подписей, передаваемый адресатам петиции. Ваш адрес электронной почты никогда не показывается и никому не передаётся.',
  'privacy.safetyHeading': 'Ваша безопасность',
  'privacy.safety':
    'Этот сайт не загружает сторонние скрипты, шрифты или трекеры. Кнопки «Поделиться» — это обычные ссылки: они никуда не обращаются, пока вы ими не воспользуетесь.',
  'privacy.rightsHeading': 'Ваши права',
  'privacy.rights': 'Вы в любой момент можете попросить организацию, которая ведёт кампанию, удалить вашу подпись и ваши данные.',
  'error.badRequest.title': 'С отправленными данными что-то не так',
  'error.formTooLarge': 'Форма слишком большая. Сократите введённый текст и попробуйте снова.',
  'error.formUnreadable': 'Не удалось прочитать форму. Вернитесь назад и попробуйте снова.',
  'error.formEncoding': 'Форма отправлена в формате, который сайт не принимает. Вернитесь назад и попробуйте снова.',
}
